/**
 * Which guest op was in flight at a crash point of a recording segment: the op whose storage
 * operations surround it. Ops run one at a time, so at most one does.
 */
import type { FuzzOpKind } from '../model/fuzz-op.js';

/** The storage operations one guest op issued in its segment: [startOp, endOp). */
export interface OpStorageSpan {
  kind: FuzzOpKind;
  startOp: number;
  endOp: number;
}

/**
 * The kind of the op in flight at `crashPoint` (storage operations [0, crashPoint) completed, the
 * one at crashPoint not): the op with startOp <= crashPoint < endOp, or `crash` when no op's
 * operations surround the point (the crash struck between ops, as at the end of the segment).
 */
export function opKindAt(spans: readonly OpStorageSpan[], crashPoint: number): FuzzOpKind {
  return spans.find((s) => s.startOp <= crashPoint && crashPoint < s.endOp)?.kind ?? 'crash';
}
