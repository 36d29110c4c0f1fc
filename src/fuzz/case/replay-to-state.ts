/**
 * replayToState: runs a case's operations again on a fresh image (crashes on the way recover the
 * way the original run did, without judging) and rebuilds the recorded crash state from its id
 * over the storage operations this replay recorded. Three ends: the state, rebuilt (with its
 * recorded crash, to judge it and its neighbours); the run ended before the crash (a property broke
 * on the way, or the case has no crash state); or diverged: the engine wrote something else this
 * time, so the recorded state does not exist here. Divergence is a value, never an error.
 */
import { isFormatError } from '../../../spec/format/format-error.js';
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import { parseStateId } from '../../storage/crash-states/state-id.js';
import type { CrashEvidence } from '../runner/crash-evidence.js';
import { FuzzRun } from '../runner/fuzz-run.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { InvalidCaseError, type FuzzCase } from './fuzz-case.js';

type ReplayedState =
  | { kind: 'state'; crash: CrashEvidence }
  | { kind: 'ended'; outcome: RunOutcome }
  | { kind: 'diverged'; reason: string };

/**
 * Replays `c` on `target` up to its crash state.
 * @throws InvalidCaseError when the case's crash does not fit its operations or its state id is malformed
 */
export async function replayToState(c: Pick<FuzzCase, 'image' | 'contentSeed' | 'statesPerCrash' | 'operations' | 'crash' | 'fault'>, target: FuzzTarget, path = 'case'): Promise<ReplayedState> {
  const ops = c.operations;
  if (c.crash) checkCrash(c.crash.stateId, ops[ops.length - 1]?.kind, path);
  if (c.fault && c.fault.op >= ops.length) throw new InvalidCaseError(path, `the fault is armed at operation index ${c.fault.op}, past the ${ops.length} operations`);
  const run = await FuzzRun.start({ target, options: c.image, seed: c.contentSeed, statesPerCrash: c.statesPerCrash, judgeCrashes: false, ...(c.fault ? { fault: c.fault } : {}) });
  try {
    for (const op of c.crash ? ops.slice(0, -1) : ops) await run.apply(op);
    const outcome = run.outcome();
    if (!c.crash || outcome.verdict === 'fail') return { kind: 'ended', outcome };
    if (outcome.verdict === 'stopped') return { kind: 'diverged', reason: `the run stopped after ${outcome.history.length} of ${ops.length - 1} operations, before the recorded crash (a crash on the way could not be recovered)` };
    const recorded = await run.recordedCrash();
    try {
      const state = new CrashPlan(recorded.segmentBase, recorded.storageOps, { maxStates: c.statesPerCrash }).rebuild(c.crash.stateId);
      return { kind: 'state', crash: { ...recorded, state } };
    } catch (err) {
      if (!isFormatError(err) || err.rule !== 'STATE-ID') throw err;
      return { kind: 'diverged', reason: `${err.message} (the replay recorded ${recorded.storageOps.length} storage operations at the crash, the case ${c.crash.storageOpCount})` };
    }
  } finally {
    await run.dispose();
  }
}

function checkCrash(stateId: string, lastKind: string | undefined, path: string): void {
  if (lastKind !== 'crash') throw new InvalidCaseError(path, 'a case with a crash state must end with a crash operation');
  try {
    parseStateId(stateId);
  } catch (err) {
    if (!isFormatError(err)) throw err;
    throw new InvalidCaseError(path, err.message);
  }
}
