/**
 * RepairRecord: one change a repair made (or refused to make), for the report: what was done, where,
 * under which rule, and for a mapping that had to go, the guest range that lost it.
 */

/** What kind of change a record describes. */
type RepairAction =
  | 'refcount-lowered'
  | 'refcount-raised'
  | 'refcounts-rebuilt'
  | 'copied-flag-fixed'
  | 'reserved-bits-cleared'
  | 'entry-dropped'
  | 'cluster-copied'
  | 'table-copied'
  | 'table-relocated'
  | 'snapshot-dropped'
  | 'snapshot-fixed'
  | 'header-bits-cleared'
  | 'refused';

/** A guest byte range [offsetBytes, offsetBytes + lengthBytes) of the active image or of a snapshot. */
export interface GuestRange {
  offsetBytes: number;
  lengthBytes: number;
  /** "active", or the snapshot the range belongs to. */
  owner: string;
  /** What the range reads after the repair: "zeros", "the backing file" or "the same bytes as before". */
  readsAfter: 'zeros' | 'backing file or zeros' | 'same bytes';
}

export interface RepairRecord {
  action: RepairAction;
  /** Clause id of the rule the change restores, e.g. "RC-6", "L2-3", "AL-2". */
  rule: string;
  /** Location: table, entry index, host offset, snapshot. */
  where: string;
  /** What was wrong and what was done, in one sentence. */
  detail: string;
  /** Set when a mapping was dropped or redirected: the guest range concerned. */
  guestRange?: GuestRange;
  /** How many clusters or entries the record stands for (a range of refcounts is one record). */
  count: number;
}

/** Builds a record; `count` defaults to 1. */
export function repairRecord(action: RepairAction, rule: string, where: string, detail: string, extra: { guestRange?: GuestRange; count?: number } = {}): RepairRecord {
  const r: RepairRecord = { action, rule, where, detail, count: extra.count ?? 1 };
  if (extra.guestRange !== undefined) r.guestRange = extra.guestRange;
  return r;
}
