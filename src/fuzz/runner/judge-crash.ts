/**
 * judgeCrash: the checker at a crash: every state the nemesis chose is judged with every property
 * (CrashStateJudge), until one breaks a property or the run is abandoned. Returns the failing
 * state, if any, and the crash's counters, with the states judged at each crash point.
 */
import type { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import type { DurabilityExpectation, DurabilityOracle } from '../model/durability-oracle.js';
import { CrashStateJudge } from '../oracle/crash-state-judge.js';
import type { CrashJudgeContext } from '../oracle/judge-crash-state.js';
import { IncrementalStateChecker } from '../oracle/state-checker.js';
import type { Violation } from '../violation.js';
import type { RunStats } from './run-stats.js';

interface CrashVerdict {
  /** The first state that broke a property, with the violation (its stage names the state). */
  failing: { state: CrashState; violation: Violation } | null;
  stats: Pick<RunStats, 'crashPoints' | 'crashStates' | 'stateGroups' | 'incrementalChecks' | 'unknownRecoveries'>;
  /** The states judged at each crash point of the plan (points without one absent). */
  statesByCrashPoint: ReadonlyMap<number, number>;
}

/** Judges the states of `plan` against `oracle`; `shouldAbandon` true stops between states. */
export async function judgeCrash(plan: CrashPlan, oracle: DurabilityOracle, ctx: CrashJudgeContext, shouldAbandon?: () => boolean): Promise<CrashVerdict> {
  const stats = { crashPoints: plan.crashPoints().length, crashStates: 0, stateGroups: 0, incrementalChecks: 0, unknownRecoveries: 0 };
  const expectations = new Map<number, DurabilityExpectation>();
  const judge = new CrashStateJudge(ctx);
  const statesByCrashPoint = new Map<number, number>();
  for (const state of plan.states()) {
    if (shouldAbandon?.()) break;
    let exp = expectations.get(state.crashPoint);
    if (!exp) expectations.set(state.crashPoint, (exp = oracle.expectAt(state.crashPoint)));
    const before = ctx.unknown.count;
    const violation = await judge.judge(state, exp);
    stats.crashStates++;
    statesByCrashPoint.set(state.crashPoint, (statesByCrashPoint.get(state.crashPoint) ?? 0) + 1);
    stats.unknownRecoveries += ctx.unknown.count - before;
    ctx.unknown.count = before;
    if (violation) return { failing: { state, violation: { ...violation, stage: `crash state ${state.id}, ${violation.stage}` } }, stats: { ...stats, ...judgeCounts(judge) }, statesByCrashPoint };
  }
  return { failing: null, stats: { ...stats, ...judgeCounts(judge) }, statesByCrashPoint };
}

/** The judge's own counters: groups judged in full, and checks made incrementally. */
function judgeCounts(judge: CrashStateJudge): Pick<RunStats, 'stateGroups' | 'incrementalChecks'> {
  return { stateGroups: judge.groupCount, incrementalChecks: judge.checker instanceof IncrementalStateChecker ? judge.checker.stats.incremental : 0 };
}
