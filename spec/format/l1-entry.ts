/**
 * L1 entries (L1-2): bits 9..55 the L2 table offset, bit 63 COPIED, bits 0..8 and 56..62 reserved.
 * Decoded from the two 32-bit halves of the entry (see TableView).
 */
import { joinHalves } from './table-view.js';

/** High-word mask of the offset (bits 32..55). */
export const L1_OFFSET_HI_MASK = 0x00ffffff;
/** Low-word mask of the offset (bits 9..31). */
export const L1_OFFSET_LO_MASK = 0xfffffe00;
/** Reserved bits 56..62 in the high word. */
export const L1_RESERVED_HI_MASK = 0x7f000000;
/** Reserved bits 0..8 in the low word. */
export const L1_RESERVED_LO_MASK = 0x000001ff;
/** COPIED, bit 63. */
export const COPIED_HI_BIT = 0x80000000;

export interface L1Entry {
  /** L2 table offset in bytes; 0 = no L2 table (all its clusters unallocated). */
  l2OffsetBytes: number;
  copied: boolean;
  reservedBitsSet: boolean;
}

export function decodeL1Entry(hi: number, lo: number): L1Entry {
  return {
    l2OffsetBytes: joinHalves(hi & L1_OFFSET_HI_MASK, (lo & L1_OFFSET_LO_MASK) >>> 0),
    copied: (hi & COPIED_HI_BIT) !== 0,
    reservedBitsSet: (hi & L1_RESERVED_HI_MASK) !== 0 || (lo & L1_RESERVED_LO_MASK) !== 0,
  };
}

/** Encodes an L1 entry as a bigint word. `l2OffsetBytes` must be a multiple of 512 below 2^56. */
export function encodeL1Entry(l2OffsetBytes: number, copied: boolean): bigint {
  return BigInt(l2OffsetBytes) | (copied ? 1n << 63n : 0n);
}
