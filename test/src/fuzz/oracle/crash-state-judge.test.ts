import { describe, expect, it } from 'vitest';
import type { MutantName } from '../../../../src/engine/mutants.js';
import { writeContent } from '../../../../src/fuzz/content/content-tag.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import { DurabilityOracle } from '../../../../src/fuzz/model/durability-oracle.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { GuestModel } from '../../../../src/fuzz/model/guest-model.js';
import { CrashStateJudge } from '../../../../src/fuzz/oracle/crash-state-judge.js';
import type { CrashJudgeContext } from '../../../../src/fuzz/oracle/judge-crash-state.js';
import { BuiltinTarget, type BuiltinTargetOptions } from '../../../../src/fuzz/target/builtin-target.js';
import { crashcowRepairHook } from '../../../../src/fuzz/target/crashcow-repairer.js';
import type { Violation } from '../../../../src/fuzz/violation.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import type { CrashState } from '../../../../src/storage/crash-states/crash-state.js';

const SEED = 3;
const options = (lazyRefcounts: boolean): FuzzImageOptions => ({ virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts, extendedL2: false, backing: null, cacheMode: 'writeback' });

/** Two flushed writes and an unflushed one on a fresh image; every state of the crash, judged by one judge. */
async function judged(targetOptions: BuiltinTargetOptions, lazyRefcounts: boolean): Promise<{ verdicts: Array<{ state: CrashState; violation: Violation | null; unknown: number }>; judge: CrashStateJudge }> {
  const target = new BuiltinTarget(targetOptions);
  const o = options(lazyRefcounts);
  const session = await target.startSession(o, SEED);
  const model = new GuestModel({ virtualSizeBytes: o.virtualSizeBytes, clusterSizeBytes: o.clusterSizeBytes, backingSizeBytes: 0 });
  const oracle = new DurabilityOracle(model);
  const ops: FuzzOp[] = [
    { kind: 'write', offsetBytes: 0, lengthBytes: 8192, writeId: 1 },
    { kind: 'flush' },
    { kind: 'write', offsetBytes: 65536, lengthBytes: 4096, writeId: 2 },
    { kind: 'write', offsetBytes: 4096, lengthBytes: 1024, writeId: 3 },
  ];
  for (const op of ops) {
    const start = session.opCount;
    if (op.kind === 'write') await session.image.write(op.offsetBytes, writeContent(SEED, op.writeId, op.offsetBytes, op.lengthBytes));
    else await session.image.flush();
    oracle.record(op, model.apply(op), start, session.opCount);
  }
  const ctx: CrashJudgeContext = { target, backing: undefined, lazyRefcounts, contentSeed: SEED, unknown: { count: 0 } };
  const judge = new CrashStateJudge(ctx);
  const verdicts = [];
  for (const state of new CrashPlan(session.segmentBase, session.ops(), { maxStates: 64, seed: SEED }).states()) {
    const before = ctx.unknown.count;
    const violation = await judge.judge(state, oracle.expectAt(state.crashPoint));
    verdicts.push({ state, violation, unknown: ctx.unknown.count - before });
  }
  await session.dispose();
  return { verdicts, judge };
}

/** True when the state's header has the dirty bit set (incompatible features, bit 0). */
const dirty = (s: CrashState): boolean => (s.view().read(72 + 7, 1)[0] & 1) !== 0;

describe('CrashStateJudge', () => {
  it('passes every state of the unmutated engine, judging each group in full once and sharing it with the rest', async () => {
    // Act
    const { verdicts, judge } = await judged({ repairHook: crashcowRepairHook }, true);
    // Assert
    expect(verdicts.filter((v) => v.violation !== null)).toEqual([]);
    expect(judge.groupCount + judge.sharedCount).toBe(verdicts.length);
    expect(judge.sharedCount).toBeGreaterThan(0);
    expect(judge.groupCount).toBeGreaterThan(0);
  });

  it('gives no verdict (unknown) for a dirty state that no repair can recover here', async () => {
    const { verdicts } = await judged({}, true);
    const dirtyStates = verdicts.filter((v) => dirty(v.state));
    expect(dirtyStates.length).toBeGreaterThan(0);
    for (const v of verdicts) expect(v.unknown, v.state.id).toBe(dirty(v.state) ? 1 : 0);
    expect(dirtyStates.every((v) => v.violation === null)).toBe(true);
  });

  it('finds the P1 break of a mutant that links clusters before their refcounts, on the states that show it', async () => {
    const mutants: MutantName[] = ['refcount-after-l2'];
    const { verdicts } = await judged({ mutants, repairHook: crashcowRepairHook }, false);
    const broken = verdicts.filter((v) => v.violation !== null);
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.length).toBeLessThan(verdicts.length);
    expect(new Set(broken.map((v) => v.violation!.property))).toEqual(new Set(['P1']));
  });
});
