/**
 * The declared write order of both repair strategies, as a RecordingDevice sees it: in place,
 * unlinks, raises, lowers, COPIED sets and the feature bits each in their own flush epoch, in that
 * order; a rebuild writes only past the old end of the file, then switches with one
 * write inside the first sector.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImage } from '../../../src/check/check-image.js';
import { repairImage } from '../../../src/repair/repair-image.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../src/storage/recording-device.js';
import { tempDir } from '../../helpers/qemu.js';
import { Layout, readU64, writeU64 } from '../check/damage.js';
import { checkDevice } from './device-image.js';
import { baseCopy, plain } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-order-');
afterAll(() => tmp.cleanup());
const COPIED = 1n << 63n;

/** Where each epoch of a recording wrote: "l2", "refblock", "header" or "new" (past the old end). */
function epochTargets(rec: RecordingDevice, l: Layout, oldSizeBytes: number): string[][] {
  const l2 = l.l2Offset(0);
  const refblock = l.refblockOffset(0);
  const cs = l.clusterSizeBytes;
  const where = (at: number): string => {
    if (at >= oldSizeBytes) return 'new';
    if (at >= l2 && at < l2 + cs) return 'l2';
    if (at >= refblock && at < refblock + cs) return 'refblock';
    if (at < 512) return 'header';
    return `other@${at}`;
  };
  return rec.epochs().map((e) => [...new Set(e.ops.filter((o) => o.kind === 'write').map((o) => where(o.offsetBytes)))]);
}

describe('repair write order', () => {
  it('in place: unlink, raise, lower, set COPIED, then the feature bits, each epoch flushed', async () => {
    const p = tmp.path('in-place.qcow2');
    await baseCopy(plain('lazy_refcounts=on'), tmp.path, p);
    const l = new Layout(p);
    writeU64(p, l.l2EntryOffset(0, 3), readU64(p, l.l2EntryOffset(0, 3)) | 0x200n);
    l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)), 0);
    l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 1)), 2);
    writeU64(p, l.l2EntryOffset(0, 1), readU64(p, l.l2EntryOffset(0, 1)) & ~COPIED);
    writeU64(p, 72, readU64(p, 72) | 1n);
    const bytes = new Uint8Array(readFileSync(p));
    const rec = new RecordingDevice(MemoryDevice.from(bytes));
    const result = repairImage(rec, 'all', checkImage);
    expect(result.strategy).toBe('in-place');
    expect(epochTargets(rec, l, bytes.length)).toEqual([['l2'], ['refblock'], ['refblock'], ['l2'], ['header']]);
    expect(rec.ops.at(-1)!.kind, 'the last write is flushed too').toBe('flush');
    expect(checkDevice(rec).exitCode).toBe(0);
  });

  it('rebuild: everything new past the old end of the file, then one switch write inside sector 0', async () => {
    const p = tmp.path('rebuild.qcow2');
    await baseCopy(plain(), tmp.path, p);
    const l = new Layout(p);
    writeU64(p, l.l2EntryOffset(0, 16), readU64(p, l.l2EntryOffset(0, 0)));
    const bytes = new Uint8Array(readFileSync(p));
    const rec = new RecordingDevice(MemoryDevice.from(bytes));
    expect(repairImage(rec, 'all', checkImage).strategy).toBe('rebuild');
    expect(epochTargets(rec, l, bytes.length)).toEqual([['new'], ['header']]);
    const switchWrites = rec.epochs()[1].ops.filter((o) => o.kind === 'write');
    expect(switchWrites.map((o) => [o.offsetBytes, o.lengthBytes])).toEqual([[36, 60]]);
    expect(checkDevice(rec).exitCode).toBe(0);
  });
});
