/**
 * The fuzzer on real QEMU (qemu-io and qemu-img over blklogwrites): a run of guest ops and crashes
 * passes lockstep and every crash property, every storage op is read back from the logs, and
 * QEMU 7.2's snapshot-apply window (COPIED left set on an L2 table shared with the snapshot until
 * the flags are recomputed) is found as P1 [L1-3] (corpus: qemu-snapshot-apply-copied-window).
 * Its recovery fails only when qemu-io has no image open afterwards, not when the repair on open
 * prints an error line and still opens the image.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import type { RunStats } from '../../../../src/fuzz/runner/run-stats.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';
import type { Violation } from '../../../../src/fuzz/violation.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { qemuTools, tempDir } from '../../../helpers/qemu.js';
import { makeStaleReftableImage, STALE_REFTABLE_PATTERN } from '../../../helpers/stale-reftable-image.js';

const OPTIONS: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };

async function runOnQemu(options: FuzzImageOptions, ops: FuzzOp[]): Promise<{ violation: Violation | null; stats: RunStats }> {
  const target = await makeTarget('qemu');
  try {
    const run = await FuzzRun.start({ target, options, seed: 11, statesPerCrash: 48 });
    for (const op of ops) await run.apply(op);
    const outcome = await run.finish();
    return { violation: outcome.verdict === 'fail' ? outcome.violation : null, stats: outcome.stats };
  } finally {
    await target.dispose();
  }
}

const tmp = tempDir('crashcow-qemu-target-');
afterAll(() => tmp.cleanup());

const write = (offsetBytes: number, lengthBytes: number, writeId: number): FuzzOp => ({ kind: 'write', offsetBytes, lengthBytes, writeId });

describe('QEMU target', () => {
  it('runs writes, discards, flushes, a reopen and crashes with every property holding', async () => {
    const r = await runOnQemu({ ...OPTIONS, backing: { format: 'raw', sizeBytes: 1 << 19 } }, [
      write(0, 4096, 1),
      write(5000, 3000, 2),
      { kind: 'flush' },
      { kind: 'discard', offsetBytes: 0, lengthBytes: 8192 },
      { kind: 'write-zeroes', offsetBytes: 65536, lengthBytes: 4096, unmap: true },
      { kind: 'flush' },
      write(100, 10, 3),
      { kind: 'crash' },
      write(8192, 8192, 4),
      { kind: 'reopen' },
      write(300000, 20000, 5),
    ]);
    expect(r.violation).toBeNull();
    expect(r.stats.crashStates).toBeGreaterThan(20);
  });

  it('finds the snapshot-apply COPIED window of QEMU 7.2 as P1 [L1-3]', async () => {
    const r = await runOnQemu(OPTIONS, [
      write(8192, 8192, 1),
      { kind: 'flush' },
      { kind: 'snapshot-create', name: 's1' },
      { kind: 'flush' },
      write(0, 600, 2),
      { kind: 'flush' },
      { kind: 'snapshot-apply', name: 's1' },
      { kind: 'flush' },
    ]);
    expect(r.violation).toMatchObject({ property: 'P1', rules: ['L1-3'] });
    expect(r.violation!.summary).toContain("COPIED is set but the L2 table's refcount is 2");
  });

  it('counts a recovery whose repair prints "Could not resize file" but opens the image as a recovery', async () => {
    // Arrange: a dirty image whose refcount table entry 0 points near 2^62 (the file cannot grow there)
    const q = qemuTools();
    const path = tmp.path('stale-reftable.qcow2');
    await makeStaleReftableImage(q, path);
    const target = await makeTarget('qemu');
    try {
      // Act
      const run = await target.recover(MemoryDevice.from(readFileSync(path)), undefined);
      // Assert: no failure, and the result is a clean, consistent image holding the guest's bytes
      expect(run.failure).toBeUndefined();
      const recovered = tmp.path('stale-reftable-recovered.qcow2');
      writeFileSync(recovered, run.device.read(0, run.device.sizeBytes));
      expect(Buffer.from(run.device.read(72, 8)).readBigUInt64BE(0) & 1n).toBe(0n);
      expect((await q.check(recovered)).exitCode).toBe(0);
      expect(await q.io(recovered, [`read -P ${STALE_REFTABLE_PATTERN} 0 512`])).toContain('read 512/512 bytes');
    } finally {
      await target.dispose();
    }
  });

  it('reports a recovery whose open fails, with qemu-io\'s reason', async () => {
    const target = await makeTarget('qemu');
    try {
      const run = await target.recover(MemoryDevice.from(new Uint8Array(65536)), undefined);
      expect(run.failure?.message).toMatch(/can't open.*not in qcow2 format/);
    } finally {
      await target.dispose();
    }
  });
});
