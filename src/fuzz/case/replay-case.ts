/**
 * replayCase: re-runs a case deterministically: the operations on a fresh image (crashes on the way
 * recover the way the original run did, without judging), then the recorded crash state, rebuilt
 * exactly from its id, judged with every property. The failure reproduces when the same property
 * breaks again.
 */
import { isFormatError } from '../../../spec/format/format-error.js';
import { FuzzRun } from '../runner/fuzz-run.js';
import { newRunStats } from '../runner/run-stats.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { isPropertyFailure, type Violation } from '../violation.js';
import { InvalidCaseError, type FuzzCase } from './fuzz-case.js';

export interface ReplayResult {
  reproduced: boolean;
  /** The violation the replay met, if any (it may differ from the recorded one). */
  violation: Violation | null;
  /** Storage operations of the crash segment in the replay (compare with the case's). */
  storageOpCount?: number;
  /** Set when the operations no longer make the recorded crash state (the engine writes differently now). */
  diverged?: string;
}

/** Replays `c` on `target`. @throws InvalidCaseError when the operations do not fit the crash */
export async function replayCase(c: FuzzCase, target: FuzzTarget, path = 'case'): Promise<ReplayResult> {
  const ops = c.operations;
  if (c.crash && ops[ops.length - 1]?.kind !== 'crash') throw new InvalidCaseError(path, 'a case with a crash state must end with a crash operation');
  const run = await FuzzRun.start({ target, options: c.image, seed: c.contentSeed, statesPerCrash: c.statesPerCrash, judgeCrashes: false, stats: newRunStats() });
  try {
    for (const op of c.crash ? ops.slice(0, -1) : ops) await run.apply(op);
    if (!c.crash) return { reproduced: false, violation: null };
    let judged: Awaited<ReturnType<FuzzRun['judgeStateById']>>;
    try {
      judged = await run.judgeStateById(c.crash.stateId);
    } catch (err) {
      if (!isFormatError(err) || err.rule !== 'STATE-ID') throw err;
      return { reproduced: false, violation: null, diverged: err.message };
    }
    return { reproduced: judged.violation?.property === c.violation.property, violation: judged.violation, storageOpCount: judged.storageOpCount };
  } catch (err) {
    if (!isPropertyFailure(err)) throw err;
    return { reproduced: err.violation.property === c.violation.property, violation: err.violation };
  } finally {
    await run.dispose();
  }
}
