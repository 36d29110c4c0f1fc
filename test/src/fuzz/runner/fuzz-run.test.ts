/**
 * FuzzRun on the built-in engine: a run returns its outcome as a value: pass with its counters, or
 * fail with the violation and, for a crash state, the recorded crash that holds the state; ops
 * after a failure are not applied.
 */
import { describe, expect, it } from 'vitest';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { evidenceJudge } from '../../../../src/fuzz/runner/crash-evidence.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { BuiltinTarget } from '../../../../src/fuzz/target/builtin-target.js';

const OPTIONS: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };

async function runOps(options: FuzzImageOptions, ops: FuzzOp[], mutants: string[] = []) {
  const run = await FuzzRun.start({ target: new BuiltinTarget({ mutants: mutants as never }), options, seed: 7, statesPerCrash: 200 });
  for (const op of ops) await run.apply(op.kind === 'write' ? { ...op, writeId: run.takeWriteId() } : op);
  return run.finish();
}

const W = (offsetBytes: number, lengthBytes: number): FuzzOp => ({ kind: 'write', offsetBytes, lengthBytes, writeId: 0 });
const REFCOUNT_AFTER_L2_OPS: FuzzOp[] = [W(0, 4096), { kind: 'flush' }, W(65536, 4096), { kind: 'flush' }, W(300000, 4096), { kind: 'flush' }];

describe('FuzzRun on the built-in engine', () => {
  it('runs writes, flushes and a crash without a finding', async () => {
    const o = await runOps(OPTIONS, [W(0, 4096), W(5000, 3000), { kind: 'flush' }, W(65536, 512), { kind: 'discard', offsetBytes: 0, lengthBytes: 8192 }, { kind: 'flush' }, W(100, 10), { kind: 'crash' }, W(8192, 8192), { kind: 'reopen' }]);
    expect(o.verdict).toBe('pass');
    expect(o.stats.crashStates).toBeGreaterThan(10);
    expect(o.stats.ops).toBe(11);
    expect(o.history.at(-1)).toEqual({ kind: 'crash' });
  });

  it('counts its coverage: one run and its ops per kind, its crash points and states by the op in flight, its image options', async () => {
    const o = await runOps(OPTIONS, [W(0, 4096), { kind: 'flush' }, W(65536, 4096), W(8192, 512), { kind: 'crash' }, W(0, 512), { kind: 'reopen' }]);
    const kinds = o.stats.coverage.opKinds;
    expect(kinds.write).toMatchObject({ runs: 1, ops: 4 });
    expect(kinds.flush).toMatchObject({ runs: 1, ops: 1 });
    expect(kinds.crash).toMatchObject({ runs: 1, ops: 2 });
    expect(kinds.discard).toBeUndefined();
    const total = (key: 'crashPoints' | 'crashStates'): number => Object.values(kinds).reduce((n, c) => n + (c[key] ?? 0), 0);
    expect(total('crashPoints')).toBe(o.stats.crashPoints);
    expect(total('crashStates')).toBe(o.stats.crashStates);
    // The flush's crash point (just before its flush operation) falls in the flush.
    expect(kinds.flush?.crashPoints).toBeGreaterThan(0);
    expect(kinds.crash?.crashPoints, 'each crash ends its segment with a point no op surrounds').toBeGreaterThanOrEqual(2);
    expect(o.stats.coverage.imageOptions).toMatchObject({ clusterSizeBytes: { '4096': 1 }, compat: { '1.1': 1 }, backing: { none: 1 }, cacheMode: { writeback: 1 } });
  });

  it('finds refcount-after-l2 and returns the failing crash state with its recorded crash', async () => {
    const o = await runOps(OPTIONS, REFCOUNT_AFTER_L2_OPS, ['refcount-after-l2']);
    expect(o.verdict).toBe('fail');
    if (o.verdict !== 'fail') return;
    expect(o.violation.property, JSON.stringify(o.violation)).toBe('P1');
    const crash = o.crash!;
    expect(o.violation.stage).toContain(`crash state ${crash.state.id}`);
    // The recorded storage operations rebuild the same state, and it breaks P1 when judged again.
    expect(new CrashPlan(crash.segmentBase, crash.storageOps).rebuild(crash.state.id).id).toBe(crash.state.id);
    expect((await evidenceJudge(crash)(crash.state))?.property).toBe('P1');
  });

  it('ends at a lockstep failure: no crash state, and later ops are not applied', async () => {
    const run = await FuzzRun.start({ target: new BuiltinTarget(), options: OPTIONS, seed: 7, statesPerCrash: 8 });
    await run.apply({ kind: 'write', offsetBytes: OPTIONS.virtualSizeBytes, lengthBytes: 512, writeId: run.takeWriteId() });
    expect(run.stopped).toBe(true);
    await run.apply({ kind: 'flush' });
    const o = await run.finish();
    expect(o.verdict).toBe('fail');
    if (o.verdict !== 'fail') return;
    expect(o.violation.property).toBe('LOCKSTEP');
    expect(o.crash).toBeNull();
    expect(o.history).toHaveLength(1);
  });
});
