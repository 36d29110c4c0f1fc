/**
 * Pass 2, one L2 entry: decides its final value. Guest data first: an entry that maps its cluster
 * correctly keeps it (flags that break a rule are cleared, which changes nothing a guest reads);
 * an entry whose mapping cannot be read (unaligned, past the end of the file, a zero flag in a v2
 * image) is dropped and reads zeros (or, in a v2 image with a backing file, the backing file); an
 * entry whose cluster belongs to metadata or to another entry of the same tree gets a copy of what
 * it reads now. Kept references go into the tally and the claims.
 */
import { decodeCompressedDescriptor } from '../../spec/format/compressed-descriptor.js';
import { isFormatError } from '../../spec/format/format-error.js';
import { clusterIndexToOffset, offsetToClusterIndex } from '../../spec/format/geometry.js';
import { hasCopied, withCopied } from '../../spec/format/l1-entry.js';
import { ClusterType, clusterTypeOf, l2EntryHi, l2EntryLo, l2HostOffsetBytes } from '../../spec/format/l2-entry.js';
import { withoutL2ReservedHi, withoutL2ReservedLo, withoutZeroFlag } from '../../spec/format/l2-entry-edits.js';
import { L2Violation } from '../../spec/invariants/l2-violations.js';
import { l2EntryViolations } from '../../spec/invariants/mapping.js';
import { beyondEndOfFile } from '../../spec/invariants/overlap.js';
import { readCompressedCluster } from '../../spec/semantics/compressed-cluster.js';
import { ClaimKind, claimKindName, DataClaim } from './cluster-claims.js';
import { copyCompressedStream, copyDataCluster } from './data-copy.js';
import { droppedReads, guestRangeOf } from './guest-range.js';
import type { RepairContext } from './repair-context.js';
import { noteRefcountAlias } from './refcount-alias.js';
import { repairRecord, type GuestRange } from './repair-record.js';
import type { L2Slot, TreePlan } from './tree-plan.js';

/** One entry's words: the descriptor halves and, with extended L2, the bitmap (hi = zero bits, lo = alloc bits). */
export interface EntryWords {
  hi: number;
  lo: number;
  bhi: number;
  blo: number;
}

/** Where an entry is (reused from entry to entry: the hot loop allocates nothing per entry). */
export interface EntryAt {
  tree: TreePlan;
  slot: L2Slot;
  entryIndex: number;
  guestOffsetBytes: number;
}

/** "active L1[0] -> L2 @0x40000 entry 3", built only when a record needs it. */
export function entryWhere(at: EntryAt): string {
  return `${at.tree.owner} L1[${at.slot.l1Index}] -> L2 @0x${at.slot.sourceOffsetBytes.toString(16)} entry ${at.entryIndex}`;
}

/** How an entry changed: not at all, in flags only, or in what it references. */
export const EntryChange = { none: 0, flags: 1, refs: 2 } as const;
export type EntryChange = (typeof EntryChange)[keyof typeof EntryChange];

const DROPPING = L2Violation.compressedWithDataFile | L2Violation.compressedBitmap | L2Violation.compressedHighOffset;

/** Decides entry `e` (changed in place) at `at`; returns how it changed. */
export function planL2Entry(ctx: RepairContext, at: EntryAt, e: EntryWords): EntryChange {
  const m = ctx.image.mapping;
  const type = clusterTypeOf(e.hi, e.lo, m.extendedL2, m.externalDataFile);
  const mask = l2EntryViolations(type, e.hi, e.lo, e.bhi, e.blo, m, at.guestOffsetBytes);
  if (type === ClusterType.compressed) return planCompressed(ctx, at, e, mask);
  const flags = clearFlags(ctx, at, e, mask);
  if ((mask & L2Violation.zeroFlagV2) !== 0) return drop(ctx, at, e, 'L2-6', 'zero flag in a version 2 image', false);
  if (type !== ClusterType.normal && type !== ClusterType.zeroAlloc) return flags;
  if (m.externalDataFile) {
    if ((mask & L2Violation.dataFileOffset) === 0) return flags;
    return drop(ctx, at, e, 'L2-7', `external data file cluster at 0x${l2HostOffsetBytes(e.hi, e.lo).toString(16)} is not at its guest offset (it could not be read)`, false);
  }
  if ((mask & L2Violation.unaligned) !== 0) return drop(ctx, at, e, 'L2-3', `host offset 0x${l2HostOffsetBytes(e.hi, e.lo).toString(16)} is not cluster-aligned`, false);
  const cs = ctx.clusterSizeBytes;
  const offsetBytes = l2HostOffsetBytes(e.hi, e.lo);
  if (beyondEndOfFile(offsetBytes, cs, ctx.image.fileSizeBytes, cs)) {
    // The repair-trusts-past-eof mutant keeps the entry as it is (neither claimed nor counted).
    if (ctx.trustsPastEof) return flags;
    return drop(ctx, at, e, 'AL-4', `cluster at 0x${offsetBytes.toString(16)} lies past the end of the file (it read as zeros)`, true);
  }
  const k = offsetToClusterIndex(ctx.geometry, offsetBytes);
  const alias = aliasOf(ctx, at, k, k);
  if (alias === null) {
    ctx.claims.claimData(k, DataClaim.whole);
    ctx.dataTally.addCluster(k);
    return flags;
  }
  if (type === ClusterType.zeroAlloc) {
    e.hi = l2EntryHi(0, false);
    e.lo = l2EntryLo(0, true);
    ctx.records.push(repairRecord('entry-dropped', 'AL-2', entryWhere(at), `preallocated zero cluster at 0x${offsetBytes.toString(16)} also belongs to ${alias}; the entry keeps reading zeros without it`, { guestRange: range(ctx, at, 'same bytes') }));
    return EntryChange.refs;
  }
  const copyOffset = copyDataCluster(ctx, at.slot.sourceOffsetBytes, at.entryIndex, offsetBytes);
  e.hi = l2EntryHi(copyOffset, hasCopied(e.hi));
  e.lo = l2EntryLo(copyOffset, false);
  ctx.dataTally.addCluster(offsetToClusterIndex(ctx.geometry, copyOffset));
  ctx.records.push(repairRecord('cluster-copied', 'AL-2', entryWhere(at), `data cluster at 0x${offsetBytes.toString(16)} also belongs to ${alias}; copied to 0x${copyOffset.toString(16)} and relinked, so neither owner can change what the other reads`, { guestRange: range(ctx, at, 'same bytes') }));
  return EntryChange.refs;
}

/** Who else owns clusters [first, last]: metadata, or another entry of this tree; null when nobody. */
function aliasOf(ctx: RepairContext, at: EntryAt, first: number, last: number, compressed = false): string | null {
  const scan = ctx.claims.scan(first, last);
  if (scan.refcountStructure) noteRefcountAlias(ctx, scan, entryWhere(at), clusterIndexToOffset(ctx.geometry, first), compressed ? 'compressed data' : 'data cluster', range(ctx, at, 'same bytes'));
  if (scan.owner !== ClaimKind.none) return claimKindName(scan.owner);
  for (let k = first; k <= last; k++) {
    const claim = ctx.claims.dataClaimOf(k);
    if (claim === DataClaim.whole || (claim === DataClaim.compressed && !compressed)) return 'another entry of the same L1 table';
  }
  return null;
}

function planCompressed(ctx: RepairContext, at: EntryAt, e: EntryWords, mask: number): EntryChange {
  if ((mask & DROPPING) !== 0) return drop(ctx, at, e, 'CMP-1', 'compressed entry the format forbids here (external data file, subcluster bitmap or offset bits at or above 2^56)', false);
  let change: EntryChange = EntryChange.none;
  if ((mask & L2Violation.compressedCopied) !== 0) {
    e.hi = withCopied(e.hi, false);
    ctx.records.push(repairRecord('copied-flag-fixed', 'CMP-1', entryWhere(at), 'COPIED cleared on a compressed cluster'));
    change = EntryChange.flags;
  }
  const cs = ctx.clusterSizeBytes;
  const d = decodeCompressedDescriptor(e.hi, e.lo, ctx.image.clusterBits);
  if (beyondEndOfFile(d.hostOffsetBytes, d.sizeBytes, ctx.image.fileSizeBytes, cs)) return drop(ctx, at, e, 'AL-4', `compressed data at 0x${d.hostOffsetBytes.toString(16)} lies past the end of the file`, false);
  if (!decompresses(ctx, e, at)) return drop(ctx, at, e, 'CMP-4', 'the compressed stream does not decompress to one cluster (it could not be read)', false);
  const first = offsetToClusterIndex(ctx.geometry, d.hostOffsetBytes);
  const last = offsetToClusterIndex(ctx.geometry, d.hostOffsetBytes + d.sizeBytes - 1);
  const alias = aliasOf(ctx, at, first, last, true);
  if (alias === null) {
    for (let k = first; k <= last; k++) if (ctx.claims.dataClaimOf(k) === DataClaim.none) ctx.claims.claimData(k, DataClaim.compressed);
    ctx.dataTally.add(d.hostOffsetBytes, d.sizeBytes);
    return change;
  }
  const copy = copyCompressedStream(ctx, at.slot.sourceOffsetBytes, at.entryIndex, d);
  e.hi = copy.hi;
  e.lo = copy.lo;
  ctx.dataTally.add(copy.offsetBytes, d.sizeBytes);
  ctx.records.push(repairRecord('cluster-copied', 'AL-2', entryWhere(at), `compressed data at 0x${d.hostOffsetBytes.toString(16)} overlaps ${alias}; copied to 0x${copy.offsetBytes.toString(16)} and relinked`, { guestRange: range(ctx, at, 'same bytes') }));
  return EntryChange.refs;
}

/** True when the entry's stream decompresses to one cluster (what a guest read needs). */
function decompresses(ctx: RepairContext, e: EntryWords, at: EntryAt): boolean {
  try {
    readCompressedCluster(ctx.source, e.hi >>> 0, e.lo >>> 0, ctx.image.clusterBits, ctx.image.header.compressionType, entryWhere(at));
    return true;
  } catch (err) {
    if (isFormatError(err)) return false;
    throw err;
  }
}

/** Clears flags that break a rule without changing what the entry maps; records each. */
function clearFlags(ctx: RepairContext, at: EntryAt, e: EntryWords, mask: number): EntryChange {
  let change: EntryChange = EntryChange.none;
  const note = (rule: string, detail: string, guest?: GuestRange) => {
    ctx.records.push(repairRecord('reserved-bits-cleared', rule, entryWhere(at), detail, guest ? { guestRange: guest } : {}));
    change = EntryChange.flags;
  };
  if ((mask & L2Violation.reserved) !== 0) {
    e.hi = withoutL2ReservedHi(e.hi);
    e.lo = withoutL2ReservedLo(e.lo);
    note('L2-3', 'reserved bits cleared');
  }
  if ((mask & L2Violation.zeroFlagExtended) !== 0) {
    e.lo = withoutZeroFlag(e.lo);
    note('L2-3', 'unused bit 0 of an extended L2 entry cleared');
  }
  if ((mask & L2Violation.copiedWithoutCluster) !== 0) {
    e.hi = withCopied(e.hi, false);
    note('L2-4', 'COPIED cleared on an entry that maps no cluster');
  }
  if ((mask & L2Violation.allocWithoutCluster) !== 0) {
    e.blo = 0;
    note('XL2-4', 'allocation bits cleared in a cluster without a host offset (it could not be read)', range(ctx, at, droppedReads(ctx, false)));
  }
  if ((mask & L2Violation.allocAndZero) !== 0) {
    e.blo &= ~e.bhi;
    note('XL2-3', 'subclusters both allocated and zero now read as zeros (the cluster could not be read)', range(ctx, at, 'zeros'));
  }
  return change;
}

/**
 * Drops the entry's mapping: zero flag where the format has one, else unallocated. With extended
 * L2 only the subclusters that were allocated or zero become zero subclusters (all of them for a
 * compressed cluster).
 */
function drop(ctx: RepairContext, at: EntryAt, e: EntryWords, rule: string, why: string, readZerosBefore: boolean): EntryChange {
  const m = ctx.image.mapping;
  const zeroFlag = ctx.v3;
  if (m.extendedL2) {
    // Only the subclusters that read the lost cluster become zeros; the unallocated ones keep
    // reading the layer below (GD-1), as they did before the repair.
    const compressed = clusterTypeOf(e.hi, e.lo, true, m.externalDataFile) === ClusterType.compressed;
    e.bhi = compressed ? 0xffffffff : (e.bhi | e.blo) >>> 0;
    e.hi = 0;
    e.lo = 0;
    e.blo = 0;
  } else {
    e.hi = l2EntryHi(0, false);
    e.lo = l2EntryLo(0, zeroFlag);
  }
  const readsAfter = droppedReads(ctx, zeroFlag);
  const same = readZerosBefore && readsAfter === 'zeros';
  ctx.records.push(repairRecord('entry-dropped', rule, entryWhere(at), `${why}; the mapping is dropped`, { guestRange: range(ctx, at, same ? 'same bytes' : readsAfter) }));
  return EntryChange.refs;
}

function range(ctx: RepairContext, at: EntryAt, readsAfter: GuestRange['readsAfter']): GuestRange {
  return guestRangeOf(ctx, at.tree, at.slot.l1Index, at.entryIndex, readsAfter);
}
