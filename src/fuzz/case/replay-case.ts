/**
 * replayCase: re-runs a case deterministically (replayToState) and judges the recorded crash state
 * with every property (a damage case: its damage, byte by byte, judged by P7). The failure reproduces when the same property breaks again; a replay whose
 * engine wrote something else than the case records is diverged (no verdict on the state).
 */
import { evidenceJudge } from '../runner/crash-evidence.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import { applyDamage } from '../damage/damage.js';
import { judgeDamage } from '../oracle/damage-judge.js';
import { caseDamage, type FuzzCase } from './fuzz-case.js';
import { replayToState } from './replay-to-state.js';

interface ReplayResult {
  reproduced: boolean;
  /** The violation the replay met, if any (it may differ from the recorded one). */
  violation: Violation | null;
  /** Storage operations of the crash segment in the replay (compare with the case's). */
  storageOpCount?: number;
  /** Set when the operations no longer make the recorded crash state (the engine wrote something else): why. */
  diverged?: string;
}

/** Replays `c` on `target`. @throws InvalidCaseError when the case's crash does not fit its operations */
export async function replayCase(c: FuzzCase, target: FuzzTarget, path = 'case'): Promise<ReplayResult> {
  const r = await replayToState(c, target, path);
  if (r.kind === 'diverged') return { reproduced: false, violation: null, diverged: r.reason };
  if (r.kind === 'damage') {
    const damage = caseDamage(c)!;
    if (applyDamage(r.clean.image, damage) === null) return { reproduced: false, violation: null, diverged: `the image after the operations does not hold the bytes the damage (${damage.where}) records as before it` };
    const violation = await judgeDamage(r.clean.context, r.clean.image, damage, r.clean.exp);
    return { reproduced: violation?.property === c.violation.property, violation };
  }
  if (r.kind === 'ended') {
    const violation = r.outcome.verdict === 'fail' ? r.outcome.violation : null;
    return { reproduced: violation?.property === c.violation.property, violation };
  }
  const violation = await evidenceJudge(r.crash)(r.crash.state);
  return { reproduced: violation?.property === c.violation.property, violation, storageOpCount: r.crash.storageOps.length };
}
