/**
 * Refcount table entries (RC-1): bits 9..63 the refcount block offset, bits 0..8 reserved.
 * Decoded from the two 32-bit halves of the entry (see TableView).
 */
import { clusterAlignMaskLo } from './geometry.js';
import { halvesToWord, joinHalves, joinHalvesClamped } from './table-view.js';

/** Low-word mask of the refcount block offset (bits 9..31). */
const REFTABLE_OFFSET_LO_MASK = 0xfffffe00;
/** Reserved bits 0..8. */
const REFTABLE_RESERVED_LO_MASK = 0x1ff;

export interface RefcountTableEntry {
  /** Refcount block offset in bytes; 0 = no block, all its refcounts are 0. */
  refblockOffsetBytes: number;
  reservedBitsSet: boolean;
}

export function decodeRefcountTableEntry(hi: number, lo: number): RefcountTableEntry {
  return {
    refblockOffsetBytes: joinHalves(hi >>> 0, (lo & REFTABLE_OFFSET_LO_MASK) >>> 0),
    reservedBitsSet: reftableEntryReservedBitsSet(lo),
  };
}

/** Any reserved bit (0..8) of the refcount table entry with low half `lo` is set (RC-1). */
export function reftableEntryReservedBitsSet(lo: number): boolean {
  return (lo & REFTABLE_RESERVED_LO_MASK) !== 0;
}

/** The refcount block offset of the entry with low half `lo` is cluster-aligned (RC-1). */
export function reftableEntryOffsetAligned(lo: number, clusterBits: number): boolean {
  return (lo & REFTABLE_OFFSET_LO_MASK & clusterAlignMaskLo(clusterBits)) === 0;
}

/**
 * Refcount block offset in bytes (bits 9..63) of the entry with halves (hi, lo), exact below 2^53
 * and CLAMPED_OFFSET_BYTES (past every file) at or above; 0 = no block.
 */
export function reftableEntryOffsetBytesClamped(hi: number, lo: number): number {
  return joinHalvesClamped(hi >>> 0, (lo & REFTABLE_OFFSET_LO_MASK) >>> 0);
}

/** Refcount block offset (bits 9..63) of the entry with halves (hi, lo), exact at any size. */
export function reftableEntryOffsetWord(hi: number, lo: number): bigint {
  return halvesToWord(hi, lo & REFTABLE_OFFSET_LO_MASK);
}

/**
 * Host cluster index of the refcount block (bits 9..63) of the entry with halves (hi, lo),
 * computed without forming the 64-bit offset; an unaligned offset gives the cluster it starts in.
 */
export function reftableEntryClusterIndex(hi: number, lo: number, clusterBits: number): number {
  return (hi >>> 0) * 2 ** (32 - clusterBits) + ((lo & REFTABLE_OFFSET_LO_MASK) >>> clusterBits);
}

/** Encodes a refcount table entry for a block at `refblockOffsetBytes` (a multiple of 512 below 2^53; 0 = none). */
export function encodeRefcountTableEntry(refblockOffsetBytes: number): bigint {
  return BigInt(refblockOffsetBytes);
}
