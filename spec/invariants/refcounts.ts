/**
 * Refcount invariants (RC-1..RC-9): the refcount table entries, the refcount blocks, and the
 * comparison of each host cluster's stored refcount with the number of references to it.
 */
import { reftableEntryOffsetAligned, reftableEntryReservedBitsSet } from '../format/refcount-table-entry.js';
import { entryWitnessOf, finding, hexOf, NO_FINDINGS, type EntryRef, type Finding, type FindingKind } from './finding.js';

/** Outcome of a refcount table entry check (RC-1). */
export const ReftableEntryState = { ok: 0, reserved: 1, unaligned: 2 } as const;
export type ReftableEntryState = (typeof ReftableEntryState)[keyof typeof ReftableEntryState];

/**
 * RC-1, RC-2, AL-1: bits 0..8 of a refcount table entry are reserved; the refcount block offset is
 * cluster-aligned. Reserved bits are reported first, as QEMU does (it then skips the entry). Only
 * the low word matters: `lo` holds bits 0..31 of the entry.
 */
export function reftableEntryState(lo: number, clusterBits: number): ReftableEntryState {
  if (reftableEntryReservedBitsSet(lo)) return ReftableEntryState.reserved;
  if (!reftableEntryOffsetAligned(lo, clusterBits)) return ReftableEntryState.unaligned;
  return ReftableEntryState.ok;
}

/** The finding for a refcount table entry in state `state` (none when ok). */
export function reftableEntryFindings(state: ReftableEntryState, reftableIndex: number, where: string, entry: string): readonly Finding[] {
  if (state === ReftableEntryState.ok) return NO_FINDINGS;
  const detail = state === ReftableEntryState.reserved ? 'refcount table entry has reserved bits set' : 'refcount block offset is not cluster-aligned';
  return [finding('RC-1', 'corruption', `reftable[${reftableIndex}] ${where}`, `${detail} (entry ${entry}); the refcount structures need a rebuild`)];
}

/**
 * RC-4, RC-5, RC-6: compare the stored refcount of a cluster with its references. Fewer stored
 * than referenced is a corruption (a write could free or overwrite live data); more is a leak
 * (wasted space). Returns null when they agree.
 */
export function refcountMismatchKind(storedRefcount: number, referenceCount: number): FindingKind | null {
  if (storedRefcount === referenceCount) return null;
  return storedRefcount < referenceCount ? 'corruption' : 'leak';
}

/** The finding for one cluster whose stored refcount differs from its reference count (RC-6). */
export function refcountMismatchFinding(clusterIndex: number, clusterSizeBytes: number, storedRefcount: number, referenceCount: number, sources: string): Finding | null {
  const kind = refcountMismatchKind(storedRefcount, referenceCount);
  if (kind === null) return null;
  const rebuild = storedRefcount === 0 ? '; a referenced cluster with refcount 0 needs a full refcount rebuild' : '';
  const what = kind === 'leak' ? (referenceCount === 0 ? 'leaked cluster' : 'refcount too high') : 'refcount too low';
  const by = sources === '' ? '' : `; referenced by ${sources}`;
  return finding('RC-6', kind, `cluster ${clusterIndex} @${hexOf(clusterIndex * clusterSizeBytes)}`, `${what}: refcount=${storedRefcount} reference=${referenceCount}${rebuild}${by}`, undefined, {
    clusterIndex,
    storedRefcount,
    referenceCount,
  });
}

/**
 * RC-7: a refcount block is referenced exactly once (by the refcount table). `by` is its refcount
 * table entry (entryIndex = `reftableIndex`), named in the witness with the block's cluster.
 */
export function refblockRefcountFindings(reftableIndex: number, refblockOffsetBytes: number, referenceCount: number, clusterSizeBytes?: number, by?: EntryRef): readonly Finding[] {
  if (referenceCount === 1) return NO_FINDINGS;
  const witness = by === undefined ? {} : entryWitnessOf(by);
  witness.referencedOffsetBytes = refblockOffsetBytes;
  if (clusterSizeBytes !== undefined) witness.clusterIndex = Math.floor(refblockOffsetBytes / clusterSizeBytes);
  witness.referenceCount = referenceCount;
  return [finding('RC-7', 'corruption', `reftable[${reftableIndex}] refcount block @${hexOf(refblockOffsetBytes)}`, `refcount block is referenced ${referenceCount} times, must be exactly once; the refcount structures need a rebuild`, undefined, witness)];
}

/** RC-1, AL-4: a refcount block lying past the end of the file. */
export function refblockOutsideFindings(reftableIndex: number, refblockOffsetBytes: number | bigint, fileSizeBytes: number): readonly Finding[] {
  return [finding('RC-1', 'corruption', `reftable[${reftableIndex}] refcount block @${hexOf(refblockOffsetBytes)}`, `refcount block lies outside the image (file is ${fileSizeBytes} bytes)`)];
}

/** RC-8: the largest refcount a width can hold (2^bits - 1; 2^64 - 1 is rounded by the number type). */
export function refcountMaxOf(refcountBits: number): number {
  return refcountBits >= 64 ? 2 ** 64 - 1 : 2 ** refcountBits - 1;
}

/** RC-8: a cluster referenced more times than its refcount width can count. */
export function refcountOverflowFindings(clusterIndex: number, clusterSizeBytes: number, refcountBits: number): readonly Finding[] {
  return [finding('RC-8', 'corruption', `cluster ${clusterIndex} @${hexOf(clusterIndex * clusterSizeBytes)}`, `more references than ${refcountBits}-bit refcounts can count (max ${refcountMaxOf(refcountBits)})`)];
}

/**
 * RC-9: the refcount table reaches host offsets up to entries * refblock entries * cluster size;
 * clusters of the file beyond that reach have an implicit refcount of 0.
 */
export function refcountReachFindings(reftableEntryCount: number, refblockEntryCount: number, clusterSizeBytes: number, fileSizeBytes: number): readonly Finding[] {
  const reachBytes = reftableEntryCount * refblockEntryCount * clusterSizeBytes;
  if (fileSizeBytes <= reachBytes) return NO_FINDINGS;
  return [finding('RC-9', 'info', 'refcount table', `the refcount table describes ${reachBytes} bytes; the file's last ${fileSizeBytes - reachBytes} bytes have an implicit refcount of 0`)];
}
