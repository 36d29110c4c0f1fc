/**
 * replayToState: runs a case's operations again on a fresh image (crashes on the way recover the
 * way the original run did, without judging) and rebuilds the recorded crash state from its id
 * over the storage operations this replay recorded. Three ends: the state, rebuilt (with its
 * recorded crash, to judge it and its neighbours); the run ended before the crash (a property broke
 * on the way, or the case has no crash state); or diverged: the engine wrote something else this
 * time, so the recorded state does not exist here. Divergence is a value, never an error.
 * replayToCrash stops one step earlier, with the crash's recorded segment (every state of it, to
 * look at other states than the recorded one). A damage case ends on the image after its operations
 * (the last one its clean close), ready to be damaged.
 */
import { isFormatError } from '../../../spec/format/format-error.js';
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import { parseStateId } from '../../storage/crash-states/state-id.js';
import type { CrashEvidence, RecordedCrash } from '../runner/crash-evidence.js';
import { FuzzRun, type CleanImage } from '../runner/fuzz-run.js';
import type { RunOutcome } from '../runner/run-outcome.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { caseDamage, caseEio, InvalidCaseError, type CaseCrash, type FuzzCase } from './fuzz-case.js';

type ReplayedState =
  | { kind: 'state'; crash: CrashEvidence }
  | { kind: 'damage'; clean: CleanImage }
  | { kind: 'ended'; outcome: RunOutcome }
  | { kind: 'diverged'; reason: string };

type ReplayedCrash =
  | { kind: 'crash'; recorded: RecordedCrash }
  | { kind: 'damage'; clean: CleanImage }
  | { kind: 'ended'; outcome: RunOutcome }
  | { kind: 'diverged'; reason: string };

type ReplayableCase = Pick<FuzzCase, 'image' | 'contentSeed' | 'statesPerCrash' | 'operations' | 'crash' | 'fault'>;

/**
 * Replays `c` on `target` up to its crash state.
 * @throws InvalidCaseError when the case's crash does not fit its operations or its state id is malformed
 */
export async function replayToState(c: ReplayableCase, target: FuzzTarget, path = 'case'): Promise<ReplayedState> {
  const r = await replayToCrash(c, target, path);
  if (r.kind !== 'crash') return r;
  const state = rebuildRecordedState(c.crash!, r.recorded, c.statesPerCrash);
  if ('diverged' in state) return { kind: 'diverged', reason: state.diverged };
  return { kind: 'state', crash: { ...r.recorded, state } };
}

/**
 * Replays `c` on `target` up to its crash (the last operation, not applied): the crash's segment
 * as this replay recorded it, the run's end when it ended before (or the case has no crash), or
 * diverged when the run stopped on the way; a damage case, to its cleanly closed image.
 * @throws InvalidCaseError when the case's crash does not fit its operations or its state id is malformed
 */
export async function replayToCrash(c: ReplayableCase, target: FuzzTarget, path = 'case'): Promise<ReplayedCrash> {
  const ops = c.operations;
  if (c.crash) checkCrash(c.crash.stateId, ops[ops.length - 1]?.kind, path);
  const damage = caseDamage(c);
  if (damage && c.crash) throw new InvalidCaseError(path, 'a damage case has no crash state');
  const eio = caseEio(c);
  if (eio && eio.op >= ops.length) throw new InvalidCaseError(path, `the fault is armed at operation index ${eio.op}, past the ${ops.length} operations`);
  const run = await FuzzRun.start({ target, options: c.image, seed: c.contentSeed, statesPerCrash: c.statesPerCrash, judgeCrashes: false, ...(eio ? { eio } : {}) });
  try {
    for (const op of c.crash ? ops.slice(0, -1) : ops) await run.apply(op);
    const outcome = run.outcome();
    if (damage && outcome.verdict === 'pass') return { kind: 'damage', clean: (await run.cleanImage())! };
    if (!c.crash || outcome.verdict === 'fail') return { kind: 'ended', outcome };
    if (outcome.verdict === 'stopped') return { kind: 'diverged', reason: `the run stopped after ${outcome.history.length} of ${ops.length - 1} operations, before the recorded crash (a crash on the way could not be recovered)` };
    return { kind: 'crash', recorded: await run.recordedCrash() };
  } finally {
    await run.dispose();
  }
}

/**
 * The state `crash.stateId` names over the storage operations of `recorded`, or why it does not
 * exist there (the id names a state this log cannot have).
 */
export function rebuildRecordedState(crash: CaseCrash, recorded: RecordedCrash, statesPerCrash: number): CrashState | { diverged: string } {
  try {
    return new CrashPlan(recorded.segmentBase, recorded.storageOps, { maxStates: statesPerCrash }).rebuild(crash.stateId);
  } catch (err) {
    if (!isFormatError(err) || err.rule !== 'STATE-ID') throw err;
    return { diverged: `${err.message} (the replay recorded ${recorded.storageOps.length} storage operations at the crash, the case ${crash.storageOpCount})` };
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
