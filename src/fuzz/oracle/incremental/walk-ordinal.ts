/**
 * Walk ordinals: one number per part of the reference walk (spec/walk/walk-marks.ts), increasing
 * in the order the walk visits them, so that findings and references recorded per part can be
 * put back in walk order after some parts were walked again. Within one part, the order of
 * recording is the walk's.
 */
import { WalkPart } from '../../../../spec/walk/walk-marks.js';
import type { ReferenceSource } from '../../../../spec/walk/reference-source.js';

/** Room per L1 table: L1 indexes stay below 2^22 (QIMPL 32 MiB L1), far below this. */
const TABLE_STRIDE = 2 ** 32;

/** The stages before the walk (open, cluster count, bitmaps, snapshots). */
export const STAGE_ORDINAL = -2;
/** The walk's tail (snapshot table, refcount table, refcount blocks ...). */
export const TAIL_ORDINAL = Number.POSITIVE_INFINITY;

/** The ordinal of a walk part; `snapshotIndex` -1 is the active table. */
export function walkOrdinal(part: WalkPart, snapshotIndex: number, l1Index: number): number {
  switch (part) {
    case WalkPart.header:
      return -1;
    case WalkPart.snapshotsAllowed:
      return 2 * TABLE_STRIDE;
    case WalkPart.snapshot:
      return (snapshotIndex + 1) * 4 * TABLE_STRIDE;
    case WalkPart.l1Table:
      return ((snapshotIndex + 1) * 4 + 1) * TABLE_STRIDE;
    case WalkPart.l1Entry:
      return ((snapshotIndex + 1) * 4 + 1) * TABLE_STRIDE + l1Index + 1;
    case WalkPart.tail:
      return TAIL_ORDINAL;
  }
}

/** The ordinal of L1 entry `l1Index` of the table of `snapshotIndex`. */
export function l1EntryOrdinal(snapshotIndex: number, l1Index: number): number {
  return walkOrdinal(WalkPart.l1Entry, snapshotIndex, l1Index);
}

/** The walk part whose walk made a reference of this source. */
export function sourceOrdinal(s: Pick<ReferenceSource, 'kind' | 'snapshotIndex' | 'tableIndex'>): number {
  switch (s.kind) {
    case 'header':
      return -1;
    case 'l1-table':
      return walkOrdinal(WalkPart.l1Table, s.snapshotIndex, -1);
    case 'l2-table':
    case 'data-cluster':
    case 'compressed-data':
      return l1EntryOrdinal(s.snapshotIndex, s.tableIndex);
    default:
      return TAIL_ORDINAL;
  }
}

/** Ascending walk order (a stable sort keeps the order of recording within one part). */
export function byOrdinal(a: { ordinal: number }, b: { ordinal: number }): number {
  return a.ordinal < b.ordinal ? -1 : a.ordinal > b.ordinal ? 1 : 0;
}
