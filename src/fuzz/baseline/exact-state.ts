/**
 * exactState: whether the baseline's replay makes the crash state a case records: the same
 * storage operations up to the crash point, by kind, place, length, FUA and file size (their bytes
 * may differ: that is what the engines disagree on, and QEMU stamps snapshots with the clock), so
 * the state's id keeps, tears and drops the same writes; and the crash falls with the same guest
 * operations durable and in flight as on the case's own engine (the same durability expectation).
 * Only then is the recorded state judged on the baseline as it is; otherwise the baseline is judged
 * on its own states (classify-case.ts).
 */
import { crashWindowAt } from '../../../spec/semantics/durability.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import type { CaseCrash } from '../case/fuzz-case.js';
import { rebuildRecordedState } from '../case/replay-to-state.js';
import type { RecordedCrash } from '../runner/crash-evidence.js';
import type { OwnCrash } from './crash-on-own-engine.js';
import { sameWindow } from './window-crash-points.js';

/** The recorded state over the baseline's log when it is the one `own` is; otherwise why it is not. */
export function exactState(crash: CaseCrash, own: OwnCrash, baseline: RecordedCrash, statesPerCrash: number): CrashState | { notExact: string } {
  const k = own.state.crashPoint;
  if (baseline.segmentBase.sizeBytes !== own.segmentSizeBytes) return { notExact: `the crash's segment starts from a ${baseline.segmentBase.sizeBytes}-byte file on the baseline, ${own.segmentSizeBytes} bytes on the case's engine` };
  const differ = firstOtherOp(baseline.storageOps, own.storageOps, k);
  if (differ !== null) return { notExact: `storage operation #${differ} is ${describeOp(baseline.storageOps[differ])} on the baseline, ${describeOp(own.storageOps[differ])} on the case's engine` };
  const state = rebuildRecordedState(crash, baseline, statesPerCrash);
  if ('diverged' in state) return { notExact: state.diverged };
  if (!sameWindow(crashWindowAt(baseline.oracle.entries, k), own.window)) return { notExact: `at crash point ${k} other operations are durable or in flight on the baseline than on the case's engine` };
  return state;
}

/** The first index below `k` where the two logs' operations differ other than in their bytes, or null. */
function firstOtherOp(a: readonly StorageOp[], b: readonly StorageOp[], k: number): number | null {
  for (let i = 0; i < k; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) return i;
    if (x.kind !== y.kind || x.offsetBytes !== y.offsetBytes || x.lengthBytes !== y.lengthBytes || x.fua !== y.fua || x.sizeBytesAfter !== y.sizeBytesAfter) return i;
  }
  return null;
}

/** "write 0x400+0x200", "a flush", "missing" (past the end of the log). */
function describeOp(op: StorageOp | undefined): string {
  if (!op) return 'missing';
  if (op.kind === 'flush') return 'a flush';
  if (op.kind === 'truncate') return `a truncate to 0x${op.offsetBytes.toString(16)}`;
  return `${op.kind} 0x${op.offsetBytes.toString(16)}+0x${op.lengthBytes.toString(16)}${op.fua ? ' FUA' : ''}`;
}
