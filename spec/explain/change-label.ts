/**
 * ChangeLabel: what one write changed in one structure of the image, in a qcow2 maintainer's
 * terms ("L2 table at 0xc00 entries 0..0 (guest 0x0-0x1ff)"). Every label names the host bytes it
 * covers and whether the write changed any of them; the kind-specific fields carry the decoded
 * entries for programs, `text` says it for people.
 */

export type ChangeKind =
  | 'header'
  | 'header-area'
  | 'l1-entries'
  | 'l2-entries'
  | 'refcount-table-entries'
  | 'refcount-block'
  | 'snapshot-table'
  | 'bitmap-directory'
  | 'bitmap-table'
  | 'bitmap-data'
  | 'encryption-header'
  | 'data'
  | 'unreferenced'
  | 'file-extension'
  | 'file-truncation';

/** One table entry that changed, as 16 hex digits before and after, and what each means. */
export interface EntryChange {
  index: number;
  before: string;
  after: string;
  /** "unallocated -> 0xe00 COPIED", "refcount 0 -> 1". */
  meaning: string;
}

/** One header field that changed (qcow2 spec names: l1_table_offset, incompatible_features ...). */
export interface HeaderFieldChange {
  name: string;
  before: string;
  after: string;
}

export interface ChangeLabel {
  kind: ChangeKind;
  /** Host bytes [fromBytes, toBytes) of the write this label covers. */
  fromBytes: number;
  toBytes: number;
  /** False when the write put back the bytes that were there. */
  changed: boolean;
  /** One line for people. */
  text: string;
  /** Host offset of the table or structure the bytes belong to. */
  structureOffsetBytes?: number;
  /** -1 for the active tables; a snapshot's index for its L1 and L2 tables and data. */
  snapshotIndex?: number;
  /** Entries changed: the first and last index, and up to ENTRY_CHANGES_LISTED_MAX of them. */
  firstEntryIndex?: number;
  lastEntryIndex?: number;
  entries?: EntryChange[];
  /** Guest bytes [guestFromBytes, guestToBytes) the changed entries or data map. */
  guestFromBytes?: number;
  guestToBytes?: number;
  /** Refcount blocks and refcount table entries: the host clusters the changed entries count. */
  firstHostCluster?: number;
  lastHostCluster?: number;
  fields?: HeaderFieldChange[];
}

/**
 * Entries listed per label. A refcount rebuild rewrites whole blocks: the first few entries and
 * the index range say enough, and a longer list would bury the line it belongs to.
 */
export const ENTRY_CHANGES_LISTED_MAX = 4;

/** "0xc00". */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}

/** "0x0-0x1ff": bytes [fromBytes, toBytes) with the last byte included. */
export function byteRange(fromBytes: number, toBytes: number): string {
  return `${hex(fromBytes)}-${hex(Math.max(fromBytes, toBytes - 1))}`;
}

/** "0..3" or "5". */
export function indexRange(first: number, last: number): string {
  return first === last ? `${first}` : `${first}..${last}`;
}

/** The entries listed of a label, as text: "[0] unallocated -> 0xe00 COPIED; [1] ...". */
export function entriesText(entries: readonly EntryChange[], changedCount: number): string {
  const shown = entries.map((e) => `[${e.index}] ${e.meaning}`).join('; ');
  return changedCount > entries.length ? `${shown}; ${changedCount - entries.length} more` : shown;
}
