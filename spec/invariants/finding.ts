/**
 * Finding: what an invariant reports when an image breaks one of its rules.
 *
 * Every predicate in spec/invariants returns findings (never throws on one). A finding names the
 * rule by clause id, its class (a spec rule or an implementation limit), how `qemu-img check`
 * would count it (`kind`), where in the image it is, and the smallest witness: in words in `detail`
 * and, for the rules a program weighs one by one (COPIED, AL-4, refcounts), as data in `witness`.
 */

/** `spec`: a rule of the qcow2 specification. `qimpl`: an implementation limit (QEMU's, or crashcow's own). */
export type RuleClass = 'spec' | 'qimpl';

/**
 * How a finding counts: `corruption` and `leak` as in qemu-img check's counters, `check-error`
 * when the check cannot be completed (or the image cannot be opened at all), `info` for facts
 * worth saying that count nowhere (a dirty image, a witness already counted under another rule).
 */
export type FindingKind = 'corruption' | 'leak' | 'check-error' | 'info';

export interface Finding {
  /** Clause id, e.g. "L2-3", "RC-6" or "QIMPL-L1-SIZE". */
  rule: string;
  class: RuleClass;
  kind: FindingKind;
  /** Location: host offsets, table and entry indexes, snapshot index. */
  where: string;
  /** What is wrong, with the smallest witness (entry value, refcount, expected count). */
  detail: string;
  /** Set when qemu-img 7.2 judges this differently: a sentence saying how. */
  qemu?: string;
  /** The witness as data, for programs; they read this and never `where` or `detail`. */
  witness?: FindingWitness;
}

/** The tables an entry of a witness can sit in. */
export type WitnessTable = 'l1' | 'l2' | 'refcount-table' | 'refcount-block' | 'snapshot-table' | 'bitmap-table';

/**
 * The smallest witness of a finding as data; each rule fills the fields that name its witness.
 * Offsets are exact below 2^53 (larger ones lie past any file and are left out: `rawEntry` keeps them).
 */
export interface FindingWitness {
  /** The table holding the entry at fault. */
  table?: WitnessTable;
  /** Host offset of that table, bytes. */
  tableOffsetBytes?: number;
  /** Index of the entry in its table. */
  entryIndex?: number;
  /** The entry exactly, as 16 hex digits (no 0x). */
  rawEntry?: string;
  /** -1 for the active tables, else the snapshot's index in the snapshot table. */
  snapshotIndex?: number;
  /** Host offset the entry references, bytes, and the length referenced there. */
  referencedOffsetBytes?: number;
  referencedSizeBytes?: number;
  /** The host cluster the finding is about (host offset / cluster size). */
  clusterIndex?: number;
  /** The entry's COPIED flag as found (L1-3, L2-2). */
  copied?: boolean;
  /** The cluster's refcount as stored on disk. */
  storedRefcount?: number;
  /** The references to the cluster the checker counted. */
  referenceCount?: number;
}

/** The shared empty result: predicates return it on the common, clean path (no allocation). */
export const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** Said of findings where the spec is stricter than qemu-img check. */
export const QEMU_DOES_NOT_FLAG = 'qemu-img 7.2 does not flag this; crashcow follows the spec and counts it.';

/** Said of witnesses whose damage is already counted under another rule. */
export const QEMU_COUNTS_ELSEWHERE = 'qemu-img 7.2 counts this damage only through its refcount comparison; crashcow names it here without counting it twice.';

/** Implementation limits (QEMU's QIMPL-* and crashcow's CRASHCOW-*) form their own class. */
export function ruleClassOf(rule: string): RuleClass {
  return rule.startsWith('QIMPL') || rule.startsWith('CRASHCOW') ? 'qimpl' : 'spec';
}

/** A table entry that makes a reference, as a finding's witness names it (the entry as two 32-bit halves). */
export interface EntryRef {
  table: WitnessTable;
  tableOffsetBytes: number;
  entryIndex: number;
  hi: number;
  lo: number;
  /** -1 for the active tables, else the snapshot's index; absent for tables outside L1/L2. */
  snapshotIndex?: number;
}

/** The witness fields that name `ref`'s entry. */
export function entryWitnessOf(ref: EntryRef): FindingWitness {
  const w: FindingWitness = { table: ref.table, tableOffsetBytes: ref.tableOffsetBytes, entryIndex: ref.entryIndex, rawEntry: rawEntryOf(ref.hi, ref.lo) };
  if (ref.snapshotIndex !== undefined) w.snapshotIndex = ref.snapshotIndex;
  return w;
}

/** Builds a finding; the class follows from the rule id. */
export function finding(rule: string, kind: FindingKind, where: string, detail: string, qemu?: string, witness?: FindingWitness): Finding {
  const f: Finding = { rule, class: ruleClassOf(rule), kind, where, detail };
  if (qemu !== undefined) f.qemu = qemu;
  if (witness !== undefined) f.witness = witness;
  return f;
}

/** "0x1f000" for locations; exact for bigint input. */
export function hexOf(value: number | bigint): string {
  return '0x' + value.toString(16);
}

/** An entry given as two 32-bit halves, printed exactly as 16 hex digits. */
export function entryHex(hi: number, lo: number): string {
  return '0x' + rawEntryOf(hi, lo);
}

/** An entry given as two 32-bit halves as a witness's `rawEntry`: exactly 16 hex digits. */
export function rawEntryOf(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** An offset as a witness field: the number when exact (below 2^53), else undefined. */
export function exactOffsetOf(offsetBytes: number | bigint): number | undefined {
  if (typeof offsetBytes === 'bigint') return offsetBytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(offsetBytes) : undefined;
  return Number.isSafeInteger(offsetBytes) ? offsetBytes : undefined;
}
