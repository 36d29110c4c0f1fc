/**
 * recoveryReplay: the recovery a verdict speaks of, run again on the crash state so its own writes
 * can be told: the engine's read-write open and close, or one of the target's repairs, named as
 * the judge names them in the violation's stage ("after HOW"; P5: "crash ID inside HOW, then HOW
 * again", where the crash state inside the recovery is rebuilt from its id, as the judge made it).
 */
import { P5_STATES_PER_RECOVERY } from '../fuzz/oracle/repair-under-crash.js';
import type { CrashJudgeContext } from '../fuzz/oracle/judge-crash-state.js';
import type { RecoveryRun } from '../fuzz/target/fuzz-target.js';
import type { BlockDevice } from '../storage/block-device.js';
import { CrashPlan } from '../storage/crash-states/crash-plan.js';
import type { CrashState } from '../storage/crash-states/crash-state.js';

export interface ReplayedRecovery {
  how: string;
  /** The run on the crash state. */
  run: RecoveryRun;
  /** P5: the crash state inside `run` and the same recovery run again on it. */
  inner?: { state: CrashState; again: RecoveryRun };
}

/** The recovery `stage` names, run again on `state`; null when the stage names none (P1, P2, a lockstep). */
export async function replayRecovery(ctx: CrashJudgeContext, state: BlockDevice, stage: string): Promise<ReplayedRecovery | null> {
  const p5 = /^crash (\S+) inside (.+), then (.+) again$/.exec(stage);
  const how = p5 ? p5[2] : /^after (.+)$/.exec(stage)?.[1];
  if (how === undefined) return null;
  const recover = recoveryNamed(ctx, how);
  if (recover === null) return null;
  const run = await recover(state);
  if (!p5) return { how, run };
  const plan = new CrashPlan(state, run.ops, { maxStates: P5_STATES_PER_RECOVERY, seed: 0 });
  const inner = plan.rebuild(p5[1]);
  return { how, run, inner: { state: inner, again: await recover(inner.view()) } };
}

function recoveryNamed(ctx: CrashJudgeContext, how: string): ((s: BlockDevice) => Promise<RecoveryRun>) | null {
  if (how === `${ctx.target.engineName} read-write open and close`) return (s) => ctx.target.recover(s, ctx.backing);
  const repairer = ctx.target.repairers.find((r) => r.name === how);
  return repairer ? (s) => repairer.repair(s) : null;
}
