/**
 * Mapping invariants (L1-1..L1-3, L2-1..L2-7): pure per-entry predicates over the two 32-bit halves
 * of an L1 or L2 entry. They return a mask of L2Violation bits (0 = clean) so the checker's hot
 * loop allocates nothing; see l2-violations.ts for the findings each bit becomes.
 */
import { hasCopied, l1EntryL2OffsetAligned, l1EntryL2OffsetBytes, l1EntryReservedBitsSet } from '../format/l1-entry.js';
import { ClusterType, hasZeroFlag, l2EntryReservedBitsSet, l2HostOffsetAligned, l2HostOffsetBytes } from '../format/l2-entry.js';
import { compressedEntryViolations } from './compressed.js';
import { subclusterBitmapViolations } from './extended-l2.js';
import { entryHex, exactOffsetOf, finding, rawEntryOf, type Finding } from './finding.js';
import { L2Violation } from './l2-violations.js';

/** What the entry predicates need to know about the image. */
export interface MappingContext {
  clusterBits: number;
  version: number;
  extendedL2: boolean;
  externalDataFile: boolean;
}

/**
 * L1-2 (and AL-1, AL-3): reserved bits, L2 table alignment, and a non-zero entry whose offset is 0.
 * An all-zero entry (no L2 table) is clean.
 */
export function l1EntryViolations(hi: number, lo: number, clusterBits: number): number {
  if (hi === 0 && lo === 0) return 0;
  let mask = 0;
  if (l1EntryReservedBitsSet(hi, lo)) mask |= L2Violation.l1Reserved;
  if (!l1EntryL2OffsetAligned(lo, clusterBits)) mask |= L2Violation.l1Unaligned;
  if (l1EntryL2OffsetBytes(hi, lo) === 0) mask |= L2Violation.l1HeaderAsL2;
  return mask;
}

/**
 * L2-2..L2-7 for a non-compressed entry of cluster type `type`: reserved bits, alignment of data and
 * preallocated-zero clusters, the zero flag in v2 or extended images, COPIED on an entry without a
 * cluster, and (with an external data file) host offset == guest offset.
 */
export function standardL2Violations(type: ClusterType, hi: number, lo: number, ctx: MappingContext, guestOffsetBytes: number): number {
  let mask = 0;
  if (l2EntryReservedBitsSet(hi, lo)) mask |= L2Violation.reserved;
  if (hasZeroFlag(lo)) {
    if (ctx.extendedL2) mask |= L2Violation.zeroFlagExtended;
    else if (ctx.version < 3) mask |= L2Violation.zeroFlagV2;
  }
  if (type === ClusterType.normal || type === ClusterType.zeroAlloc) {
    if (!l2HostOffsetAligned(lo, ctx.clusterBits)) mask |= L2Violation.unaligned;
    if (ctx.externalDataFile && l2HostOffsetBytes(hi, lo) !== guestOffsetBytes) mask |= L2Violation.dataFileOffset;
  } else if (hasCopied(hi) && !ctx.externalDataFile) {
    mask |= L2Violation.copiedWithoutCluster;
  }
  return mask;
}

/**
 * Every per-entry rule of one L2 entry (standard or extended, compressed or not): the entry as
 * halves, its subcluster bitmap as halves (0, 0 without extended L2), its type from clusterTypeOf
 * and the guest offset it maps.
 */
export function l2EntryViolations(
  type: ClusterType,
  hi: number,
  lo: number,
  bitmapHi: number,
  bitmapLo: number,
  ctx: MappingContext,
  guestOffsetBytes: number,
): number {
  if (type === ClusterType.compressed) return compressedEntryViolations(hi, lo, bitmapHi, bitmapLo, ctx);
  let mask = standardL2Violations(type, hi, lo, ctx, guestOffsetBytes);
  if (ctx.extendedL2) mask |= subclusterBitmapViolations(type, bitmapLo >>> 0, bitmapHi >>> 0);
  return mask;
}

/**
 * L1-3, L2-2: in the active tables, COPIED is set exactly when the refcount of the L2 table or
 * cluster is 1. Returns true on a mismatch. (Snapshot tables are exempt: their COPIED bits go stale.)
 */
export function copiedMismatch(copied: boolean, refcount: number): boolean {
  return copied !== (refcount === 1);
}

/** An active L1 or L2 entry whose COPIED flag disagrees with the stored refcount of its cluster. */
export interface CopiedMismatch {
  /** 'l1' (L1-3: the entry references an L2 table) or 'l2' (L2-2: it references a data cluster). */
  table: 'l1' | 'l2';
  tableOffsetBytes: number;
  entryIndex: number;
  /** The entry as two 32-bit halves. */
  hi: number;
  lo: number;
  /** The host offset the entry references, and its cluster. */
  referencedOffsetBytes: number;
  clusterIndex: number;
  /** The cluster's stored refcount (exact). */
  storedRefcount: number;
}

/** L1-3, L2-2: the finding for a COPIED mismatch, its witness filled from `m`. */
export function copiedMismatchFinding(where: string, m: CopiedMismatch): Finding {
  const copied = hasCopied(m.hi);
  const what = m.table === 'l1' ? "the L2 table's" : "the cluster's";
  const detail = `COPIED is ${copied ? 'set' : 'clear'} but ${what} refcount is ${m.storedRefcount} (entry ${entryHex(m.hi, m.lo)})`;
  return finding(m.table === 'l1' ? 'L1-3' : 'L2-2', 'corruption', where, detail, undefined, {
    table: m.table,
    tableOffsetBytes: m.tableOffsetBytes,
    entryIndex: m.entryIndex,
    rawEntry: rawEntryOf(m.hi, m.lo),
    ...offsetField(m.referencedOffsetBytes),
    clusterIndex: m.clusterIndex,
    copied,
    storedRefcount: m.storedRefcount,
  });
}

function offsetField(offsetBytes: number): { referencedOffsetBytes?: number } {
  const exact = exactOffsetOf(offsetBytes);
  return exact === undefined ? {} : { referencedOffsetBytes: exact };
}
