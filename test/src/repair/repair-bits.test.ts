/**
 * The dirty and corrupt bits (FEAT-1, FEAT-2) are cleared only when the repaired image checks
 * clean: an image with damage the repair cannot undo keeps them (here a snapshot sharing clusters
 * in an image with 1-bit refcounts, which cannot count two references: RC-8).
 */
import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSnapshotTable } from '../../../spec/format/snapshot-table.js';
import { checkImage } from '../../../src/check/check-image.js';
import { repairImage } from '../../../src/repair/repair-image.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { tempDir } from '../../helpers/qemu.js';
import { Layout, readU64, writeBytes, writeU32, writeU64 } from '../check/damage.js';
import { checkDevice } from './device-image.js';
import { baseCopy, plain } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-bits-');
afterAll(() => tmp.cleanup());

/** Adds a snapshot whose L1 table is a copy of the active one (so every cluster is shared) and sets the dirty and corrupt bits. */
function shareEverything(p: string, l: Layout): void {
  const cs = l.clusterSizeBytes;
  const at = Math.ceil(statSync(p).size / cs) * cs;
  const l1 = new Uint8Array(cs);
  new DataView(l1.buffer).setBigUint64(0, readU64(p, l.l1EntryOffset(0)));
  writeBytes(p, at, l1);
  const table = encodeSnapshotTable([
    { l1TableOffset: BigInt(at), l1EntryCount: 1, id: '1', name: 'shared', dateSeconds: 0, dateNanoseconds: 0, vmClockNanoseconds: 0n, vmStateSize32: 0, extraData: new Uint8Array(24) },
  ]);
  const out = new Uint8Array(cs);
  out.set(table);
  writeBytes(p, at + cs, out);
  writeU32(p, 60, 1);
  writeU64(p, 64, BigInt(at + cs));
  writeU64(p, 72, readU64(p, 72) | 3n);
}

describe('dirty and corrupt bits', () => {
  it('stay set when the repaired image still has a corruption (RC-8 with 1-bit refcounts)', async () => {
    const p = tmp.path('shared.qcow2');
    await baseCopy(plain('refcount_bits=1'), tmp.path, p);
    shareEverything(p, new Layout(p));
    const dev = MemoryDevice.from(new Uint8Array(readFileSync(p)));
    const result = repairImage(dev, 'all', checkImage);
    expect(result.verified.corruptions, 'the overflow cannot be repaired').toBeGreaterThan(0);
    expect(result.bitsCleared).toBe(false);
    expect(dev.read(79, 1)[0] & 3, 'dirty and corrupt are still set').toBe(3);
    expect(result.records.map((r) => r.action)).not.toContain('header-bits-cleared');
    expect(checkDevice(dev).report.findings.map((f) => f.rule)).toContain('RC-8');
  });
});
