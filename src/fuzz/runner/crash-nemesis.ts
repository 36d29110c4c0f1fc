/**
 * The crash nemesis: at a crash, every crash state the storage generator yields for the segment's
 * recorded storage operations (exhaustive where a crash point is small, seeded samples elsewhere,
 * within a budget) is judged with every property. Then the run goes on from the state a killed
 * process leaves (everything it wrote landed, its caches lost), recovered through the engine, with
 * the model resolved to what the recovered image holds.
 */
import { checkImage } from '../../check/check-image.js';
import { repairImage } from '../../repair/repair-image.js';
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { DurabilityExpectation, DurabilityOracle } from '../model/durability-oracle.js';
import type { GuestModel } from '../model/guest-model.js';
import { CrashStateJudge } from '../oracle/crash-state-judge.js';
import type { CrashJudgeContext } from '../oracle/judge-crash-state.js';
import { summarizeCheck } from '../oracle/check-summary.js';
import { judgeData } from '../oracle/judge-data.js';
import { snapshotEntriesOf } from '../spec-view.js';
import type { FuzzSession } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import type { RunStats } from './run-stats.js';

/** A crash state that broke a property, with everything needed to shrink and replay it. */
export interface CrashFinding {
  violation: Violation;
  plan: CrashPlan;
  state: CrashState;
}

export interface CrashInput {
  session: FuzzSession;
  oracle: DurabilityOracle;
  ctx: CrashJudgeContext;
  /** Crash states judged at this crash, at most (split across its crash points). */
  maxStates: number;
  seed: number;
  stats: RunStats;
  /** True stops judging the crash's states (the run is being abandoned). */
  shouldAbandon?: () => boolean;
}

/** Judges every state of the segment's crash plan; the first violation found, or null. */
export async function judgeCrashStates(input: CrashInput): Promise<CrashFinding | null> {
  await input.session.sync();
  const ops = input.session.ops();
  const plan = new CrashPlan(input.session.segmentBase, ops, { maxStates: input.maxStates, seed: input.seed });
  const pointCount = plan.crashPoints().length;
  if (pointCount * STATES_PER_POINT_MIN > input.maxStates) {
    const maxStates = Math.min(STATES_PER_CRASH_CAP, STATES_PER_CRASH_CAP_FACTOR * input.maxStates, pointCount * STATES_PER_POINT_MIN);
    return judgePlan(input, new CrashPlan(input.session.segmentBase, ops, { maxStates, seed: input.seed }));
  }
  return judgePlan(input, plan);
}

/**
 * Every crash point gets at least this many states (when the budget allows): a long run has many
 * flushes, and a fair split of a fixed budget would leave its late points none.
 */
export const STATES_PER_POINT_MIN = 2;

/** States judged per crash at most, whatever the number of crash points. */
export const STATES_PER_CRASH_CAP = 4096;

/**
 * And at most this many times the crash's budget: a bulk write in 512-byte clusters makes
 * thousands of crash points, and two states for each would make that one crash cost as much as
 * dozens of runs.
 */
export const STATES_PER_CRASH_CAP_FACTOR = 16;

async function judgePlan(input: CrashInput, plan: CrashPlan): Promise<CrashFinding | null> {
  const expectations = new Map<number, DurabilityExpectation>();
  input.stats.crashPoints += plan.crashPoints().length;
  const judge = new CrashStateJudge(input.ctx);
  for (const state of plan.states()) {
    if (input.shouldAbandon?.()) break;
    let exp = expectations.get(state.crashPoint);
    if (!exp) expectations.set(state.crashPoint, (exp = input.oracle.expectAt(state.crashPoint)));
    const before = input.ctx.unknown.count;
    const violation = await judge.judge(state, exp);
    input.stats.crashStates++;
    input.stats.unknownRecoveries += input.ctx.unknown.count - before;
    input.ctx.unknown.count = before;
    if (violation) return { violation: { ...violation, stage: `crash state ${state.id}, ${violation.stage}` }, plan, state };
  }
  input.stats.stateGroups += judge.groupCount;
  return null;
}

/**
 * Continues after a crash from the killed-process state: recovers it through the engine, frees the
 * clusters the crash leaked (crashcow's `check -r leaks`, as a user would run after a crash: the
 * engine's open keeps leaks, and the lockstep after the next close demands a clean image), resolves
 * the model to it and starts a new segment. Returns a violation if the recovered image breaks P4,
 * or 'stopped' when it cannot be recovered here (a dirty image without a repair).
 */
export async function continueAfterCrash(input: CrashInput, model: GuestModel): Promise<Violation | null | 'stopped'> {
  const { session, ctx } = input;
  const run = await ctx.target.recover(session.current(), ctx.backing);
  if (run.failure?.unsupported) return 'stopped';
  const stage = 'recovery of the killed-process state';
  if (run.failure) return { property: 'P3', rules: [run.failure.rule ?? 'REP-2'], summary: `recovery failed: ${run.failure.message}`, stage, expected: 'recovery succeeds', actual: run.failure.message };
  const source = toByteSource(run.device);
  const exp = input.oracle.expectAt(session.opCount);
  const observed = new Map<number, string>();
  const v = judgeData(source, ctx.backing, exp, ctx.contentSeed, stage, observed);
  if (v) return v;
  for (const [sector, value] of observed) model.resolve(sector, value);
  const layerSize = sizeOf(source);
  if (layerSize !== null) model.virtualSizeBytes = layerSize;
  const present = new Set(snapshotEntriesOf(source).map((e) => e.name));
  for (const name of [...model.snapshots.keys()]) if (!present.has(name)) model.snapshots.delete(name);
  for (const [name, snap] of exp.optionalSnapshots) if (present.has(name)) model.snapshots.set(name, snap);
  if (summarizeCheck(source).report.leaks > 0) repairImage(run.device, 'leaks', checkImage);
  await session.restart(run.device);
  return null;
}

function sizeOf(source: ReturnType<typeof toByteSource>): number | null {
  const head = source.read(24, 8);
  if (head.length < 8) return null;
  return Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0));
}
