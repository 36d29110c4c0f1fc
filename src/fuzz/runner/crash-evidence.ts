/**
 * CrashEvidence: a crash as the run recorded it, enough to judge any of its states again without
 * running the engine's workload again: the file when the crash's segment started, the storage
 * operations recorded in it up to the crash, the durability oracle as it stood at the crash, the
 * judge's context, and the state that broke a property. A run outcome and a replay both give one;
 * finalizing and replaying judge states through `evidenceJudge`.
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { BlockDevice } from '../../storage/block-device.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import type { DurabilityOracle } from '../model/durability-oracle.js';
import { CrashStateJudge } from '../oracle/crash-state-judge.js';
import type { CrashJudgeContext } from '../oracle/judge-crash-state.js';
import type { StateJudge } from '../shrink/shrink-survivors.js';

export interface RecordedCrash {
  /** The file when the crash's segment started; never written. */
  segmentBase: BlockDevice;
  /** The segment's storage operations up to the crash, in completion order (a copy: never changes). */
  storageOps: readonly StorageOp[];
  /** What must survive at each crash point of the segment (the model as it stood at the crash). */
  oracle: DurabilityOracle;
  context: CrashJudgeContext;
}

export interface CrashEvidence extends RecordedCrash {
  /** The state that broke the property. */
  state: CrashState;
}

/**
 * A judge of states of the recorded crash (any state of its crash points: shrunk candidates too),
 * against the same expectations the run judged them with. Each call recovers the state through the
 * target; the violation's stage is relative ("after ...").
 */
export function evidenceJudge(crash: RecordedCrash): StateJudge {
  const judge = new CrashStateJudge(crash.context);
  return (s: CrashState) => judge.judge(s, crash.oracle.expectAt(s.crashPoint));
}
