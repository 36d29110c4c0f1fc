/**
 * The crash nemesis: at a crash, it chooses which crash states of the segment's recorded storage
 * operations are judged (exhaustive where a crash point is small, seeded samples elsewhere, within
 * a budget). It judges nothing and recovers nothing: judgeCrash judges its states, and the run
 * recovers afterwards (recoverAfterCrash).
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';

/**
 * The plan whose states are judged at a crash of a segment that started at `segmentBase` and
 * recorded `ops`; `maxStates` is the crash's budget (split across its crash points), `seed` the
 * sampling seed.
 */
export function chooseCrashStates(segmentBase: BlockDevice, ops: readonly StorageOp[], maxStates: number, seed: number): CrashPlan {
  const plan = new CrashPlan(segmentBase, ops, { maxStates, seed });
  const pointCount = plan.crashPoints().length;
  if (pointCount * STATES_PER_POINT_MIN <= maxStates) return plan;
  const widened = Math.min(STATES_PER_CRASH_CAP, STATES_PER_CRASH_CAP_FACTOR * maxStates, pointCount * STATES_PER_POINT_MIN);
  return new CrashPlan(segmentBase, ops, { maxStates: widened, seed });
}

/**
 * Every crash point gets at least this many states (when the budget allows): a long run has many
 * flushes, and a fair split of a fixed budget would leave its late points none.
 */
export const STATES_PER_POINT_MIN = 2;

/** States judged per crash at most, whatever the number of crash points. */
const STATES_PER_CRASH_CAP = 4096;

/**
 * And at most this many times the crash's budget: a bulk write in 512-byte clusters makes
 * thousands of crash points, and two states for each would make that one crash cost as much as
 * dozens of runs.
 */
export const STATES_PER_CRASH_CAP_FACTOR = 16;
