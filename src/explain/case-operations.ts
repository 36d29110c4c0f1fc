/**
 * The case's operations as the crash found them: those before an earlier crash (whose recovery
 * started the crash segment), those flushed, those done but not flushed, the one in flight (its
 * storage operations straddle the crash point) and those not started; and which operation issued
 * each storage operation of the segment (the oracle records each op's span of storage operations).
 */
import type { HistoryEntry } from '../fuzz/model/durability-oracle.js';
import { describeOp, type FuzzOp } from '../fuzz/model/fuzz-op.js';
import type { ExplainedOperation } from './explanation.js';

export interface CaseOperations {
  operations: ExplainedOperation[];
  /** The 1-based number of the operation that issued storage operation `index`, or null. */
  issuerOf(index: number): number | null;
}

/** @param crash the crash point and the last flush before it; null for a case whose run ended before its crash */
export function caseOperations(ops: readonly FuzzOp[], entries: readonly HistoryEntry[], crash: { crashPoint: number; lastFlushIndex: number; stateId: string } | null): CaseOperations {
  const last = ops.length - 1;
  let segmentStart = 0;
  for (let i = 0; i < last; i++) if (ops[i].kind === 'crash') segmentStart = i + 1;
  const operations = ops.map((op, i): ExplainedOperation => {
    const number = i + 1;
    const text = describeOp(op);
    if (i === last && op.kind === 'crash' && crash) return { number, text: `crash (state ${crash.stateId})`, mark: 'crash' };
    if (i < segmentStart) return { number, text, mark: op.kind === 'crash' ? 'earlier-crash' : 'before-earlier-crash' };
    const e = entries[i - segmentStart];
    if (!e || !crash) return { number, text, mark: e ? 'flushed' : 'not-started' };
    const storageOps = e.endOp > e.startOp ? { storageOps: { first: e.startOp, end: e.endOp } } : {};
    const k = crash.crashPoint;
    const mark = e.startOp < k && k < e.endOp ? 'in-flight' : e.startOp >= k && e.endOp > e.startOp ? 'not-started' : e.endOp <= crash.lastFlushIndex + 1 ? 'flushed' : 'not-flushed';
    return { number, text, mark, ...storageOps };
  });
  const issuerOf = (index: number): number | null => {
    const k = entries.findIndex((e) => e.startOp <= index && index < e.endOp);
    return k < 0 ? null : segmentStart + k + 1;
  };
  return { operations, issuerOf };
}
