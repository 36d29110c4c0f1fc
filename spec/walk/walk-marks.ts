/**
 * WalkMarks: where the reference walk is, told to an observer as it goes. The walk calls
 * `mark` as it enters each part, so an observer can attribute the findings, references and
 * counters that follow to that part (the incremental crash judge records the walk of a flushed
 * image per L1 entry this way). Marks change nothing in the walk; without an observer none is made.
 */
export const WalkPart = {
  /** The header cluster's own reference. */
  header: 0,
  /** The checks of snapshot `snapshotIndex`'s table entry, before its L1 table is walked. */
  snapshot: 1,
  /** The L1 table of `snapshotIndex` (-1: active): its own reference and reading. */
  l1Table: 2,
  /** L1 entry `l1Index` of the table of `snapshotIndex`: the entry, its L2 table and all it maps. */
  l1Entry: 3,
  /** The snapshot count checks, between the active table and the first snapshot's. */
  snapshotsAllowed: 4,
  /** Everything after the L1 tables: snapshot table, refcount table, encryption header, bitmaps, refcount blocks. */
  tail: 5,
} as const;
export type WalkPart = (typeof WalkPart)[keyof typeof WalkPart];

export interface WalkMarks {
  /** The walk enters `part`; `snapshotIndex` and `l1Index` are -1 where the part has none. */
  mark(part: WalkPart, snapshotIndex: number, l1Index: number): void;
}
