/**
 * L1 entries (L1-2): bits 9..55 the L2 table offset, bit 63 COPIED, bits 0..8 and 56..62 reserved.
 * Decoded from and encoded to the two 32-bit halves of the entry (see TableView); the bigint
 * encoder is built from the same halves.
 */
import { clusterAlignMaskLo } from './geometry.js';
import { halvesToWord, highHalf, joinHalves, joinHalvesClamped, lowHalf } from './table-view.js';

// The functions below read the module-private constants, not the exported ones: V8 folds a
// private constant into the hot loops that inline these functions, but loads an exported binding
// from its module cell on every use.
/** High-word mask of the offset (bits 32..55). */
const OFFSET_HI = 0x00ffffff;
/** Low-word mask of the offset (bits 9..31). */
const OFFSET_LO = 0xfffffe00;
/** Reserved bits 56..62 in the high word. */
const RESERVED_HI = 0x7f000000;
/** Reserved bits 0..8 in the low word. */
const RESERVED_LO = 0x000001ff;
/** COPIED, bit 63 (the same bit in L1 and standard L2 entries). */
const COPIED_HI = 0x80000000;
export const COPIED_HI_BIT = COPIED_HI;

export interface L1Entry {
  /** L2 table offset in bytes; 0 = no L2 table (all its clusters unallocated). */
  l2OffsetBytes: number;
  copied: boolean;
  reservedBitsSet: boolean;
}

export function decodeL1Entry(hi: number, lo: number): L1Entry {
  return {
    l2OffsetBytes: l1EntryL2OffsetBytes(hi, lo),
    copied: hasCopied(hi),
    reservedBitsSet: l1EntryReservedBitsSet(hi, lo),
  };
}

/** Any reserved bit (0..8 or 56..62) of the L1 entry with halves (hi, lo) is set (L1-2). */
export function l1EntryReservedBitsSet(hi: number, lo: number): boolean {
  return (hi & RESERVED_HI) !== 0 || (lo & RESERVED_LO) !== 0;
}

/** L2 table offset in bytes (bits 9..55) of the L1 entry with halves (hi, lo); 0 = no table. */
export function l1EntryL2OffsetBytes(hi: number, lo: number): number {
  return joinHalves(hi & OFFSET_HI, (lo & OFFSET_LO) >>> 0);
}

/**
 * L2 table offset in bytes of the L1 entry with halves (hi, lo), exact below 2^53 and
 * CLAMPED_OFFSET_BYTES (past every file) at or above, for walks that must not wrap.
 */
export function l1EntryL2OffsetBytesClamped(hi: number, lo: number): number {
  return joinHalvesClamped(hi & OFFSET_HI, (lo & OFFSET_LO) >>> 0);
}

/** The L2 table offset of an L1 entry with low half `lo` is cluster-aligned (L1-2). */
export function l1EntryL2OffsetAligned(lo: number, clusterBits: number): boolean {
  return (lo & OFFSET_LO & clusterAlignMaskLo(clusterBits)) === 0;
}

/** Host cluster index of the L2 table an L1 entry points at (bits 9..55), from the halves. */
export function l1EntryL2ClusterIndex(hi: number, lo: number, clusterBits: number): number {
  return (hi & OFFSET_HI) * 2 ** (32 - clusterBits) + ((lo & OFFSET_LO) >>> clusterBits);
}

/** COPIED (bit 63) is set in the high word of an L1 or L2 entry. */
export function hasCopied(hi: number): boolean {
  return (hi & COPIED_HI) !== 0;
}

/** The high word `hi` of an L1 or L2 entry with COPIED set or cleared, everything else kept. */
export function withCopied(hi: number, copied: boolean): number {
  return (copied ? hi | COPIED_HI : hi & ~COPIED_HI) >>> 0;
}

/** High word of an L1 entry: bits 32..55 of `l2OffsetBytes` (below 2^56) and COPIED. */
export function l1EntryHi(l2OffsetBytes: number, copied: boolean): number {
  return withCopied(highHalf(l2OffsetBytes), copied);
}

/** Low word of an L1 entry: bits 0..31 of `l2OffsetBytes` (a multiple of 512). */
export function l1EntryLo(l2OffsetBytes: number): number {
  return lowHalf(l2OffsetBytes);
}

/** Encodes an L1 entry as a bigint word. `l2OffsetBytes` must be a multiple of 512 below 2^56. */
export function encodeL1Entry(l2OffsetBytes: number, copied: boolean): bigint {
  return halvesToWord(l1EntryHi(l2OffsetBytes, copied), l1EntryLo(l2OffsetBytes));
}
