/**
 * The fuzzer on real QEMU (qemu-io and qemu-img over blklogwrites): a run of guest ops and crashes
 * passes lockstep and every crash property, every storage op is read back from the logs, and
 * QEMU 7.2's snapshot-apply window (COPIED left set on an L2 table shared with the snapshot until
 * the flags are recomputed) is found as P1 [L1-3] (corpus: qemu-snapshot-apply-copied-window).
 */
import { describe, expect, it } from 'vitest';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import type { RunStats } from '../../../../src/fuzz/runner/run-stats.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';
import type { Violation } from '../../../../src/fuzz/violation.js';

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
});
