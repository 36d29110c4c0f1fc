import { describe, expect, it } from 'vitest';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { newRunStats } from '../../../../src/fuzz/runner/run-stats.js';
import { BuiltinTarget } from '../../../../src/fuzz/target/builtin-target.js';
import { isPropertyFailure } from '../../../../src/fuzz/violation.js';

const OPTIONS: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };

async function runOps(options: FuzzImageOptions, ops: FuzzOp[], mutants: string[] = []) {
  const stats = newRunStats();
  const run = await FuzzRun.start({ target: new BuiltinTarget({ mutants: mutants as never }), options, seed: 7, statesPerCrash: 200, stats });
  try {
    for (const op of ops) await run.apply(op.kind === 'write' ? { ...op, writeId: run.takeWriteId() } : op);
    await run.finish();
    return { stats, violation: null };
  } catch (err) {
    if (!isPropertyFailure(err)) throw err;
    await run.dispose();
    return { stats, violation: err.violation };
  }
}

const W = (offsetBytes: number, lengthBytes: number): FuzzOp => ({ kind: 'write', offsetBytes, lengthBytes, writeId: 0 });

describe('FuzzRun on the built-in engine', () => {
  it('runs writes, flushes and a crash without a finding', async () => {
    const r = await runOps(OPTIONS, [W(0, 4096), W(5000, 3000), { kind: 'flush' }, W(65536, 512), { kind: 'discard', offsetBytes: 0, lengthBytes: 8192 }, { kind: 'flush' }, W(100, 10), { kind: 'crash' }, W(8192, 8192), { kind: 'reopen' }]);
    expect(r.violation).toBeNull();
    expect(r.stats.crashStates).toBeGreaterThan(10);
  });

  it('finds refcount-after-l2', async () => {
    const r = await runOps(OPTIONS, [W(0, 4096), { kind: 'flush' }, W(65536, 4096), { kind: 'flush' }, W(300000, 4096), { kind: 'flush' }], ['refcount-after-l2']);
    expect(r.violation?.property, JSON.stringify(r.violation)).toBe('P1');
  });
});
