/**
 * judgeWindow: every property on the baseline's crash states at the crash points that correspond
 * to a case's crash (window-crash-points.ts), looking for the case's failure (its signature: the
 * same property and rules). The states are enumerated whole when the points' spaces fit the
 * budget, and sampled with the nemesis' strategies otherwise (CrashPlan.statesAt). Stops at the
 * first state failing the same way; a state failing otherwise is counted and judging goes on.
 */
import type { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import { allotBudgets } from '../../storage/crash-states/allot-budgets.js';
import { CrashStateJudge } from '../oracle/crash-state-judge.js';
import type { RecordedCrash } from '../runner/crash-evidence.js';
import { violationSignature, type Violation } from '../violation.js';

export interface WindowVerdict {
  /** The first state failing with the signature, with its violation; null when none does. */
  same: { state: CrashState; violation: Violation } | null;
  /** States judged (up to `same` when there is one). */
  judged: number;
  /** States without a violation on which a recovery could not run (no verdict on it). */
  unknown: number;
  /** States failing with another signature: how many, and the first of them. */
  other: { count: number; first: Violation | null };
  /** States the points can leave in all (a float beyond 2^53), and whether every one was judged. */
  stateCount: number;
  exhaustive: boolean;
}

/**
 * Judges the states of `plan` (over `recorded`'s storage operations) at `points`, within
 * `maxStates` states split across them, against the durability expectation of `recorded`.
 */
export async function judgeWindow(recorded: RecordedCrash, plan: CrashPlan, points: readonly number[], maxStates: number, signature: string): Promise<WindowVerdict> {
  const counts = points.map((k) => plan.stateCount(k));
  const budgets = allotBudgets(counts, maxStates);
  const out: WindowVerdict = { same: null, judged: 0, unknown: 0, other: { count: 0, first: null }, stateCount: counts.reduce((a, b) => a + b, 0), exhaustive: budgets.every((b, i) => b >= counts[i]) };
  const ctx = recorded.context;
  const judge = new CrashStateJudge(ctx);
  for (let i = 0; i < points.length; i++) {
    const exp = recorded.oracle.expectAt(points[i]);
    for (const state of plan.statesAt(points[i], budgets[i])) {
      const before = ctx.unknown.count;
      const violation = await judge.judge(state, exp);
      const unknown = ctx.unknown.count > before;
      ctx.unknown.count = before;
      out.judged++;
      if (violation && violationSignature(violation) === signature) {
        out.same = { state, violation: { ...violation, stage: `crash state ${state.id}, ${violation.stage}` } };
        return out;
      }
      if (violation) {
        out.other.count++;
        out.other.first ??= violation;
      } else if (unknown) out.unknown++;
    }
  }
  return out;
}
