/**
 * Refcount table entries (RC-1): bits 9..63 the refcount block offset, bits 0..8 reserved.
 */
import { joinHalves } from './table-view.js';

/** Low-word mask of the refcount block offset (bits 9..31). */
const REFTABLE_OFFSET_LO_MASK = 0xfffffe00;
/** Reserved bits 0..8. */
export const REFTABLE_RESERVED_LO_MASK = 0x1ff;

export interface RefcountTableEntry {
  /** Refcount block offset in bytes; 0 = no block, all its refcounts are 0. */
  refblockOffsetBytes: number;
  reservedBitsSet: boolean;
}

export function decodeRefcountTableEntry(hi: number, lo: number): RefcountTableEntry {
  return {
    refblockOffsetBytes: joinHalves(hi >>> 0, (lo & REFTABLE_OFFSET_LO_MASK) >>> 0),
    reservedBitsSet: (lo & REFTABLE_RESERVED_LO_MASK) !== 0,
  };
}

/** Encodes a refcount table entry for a block at `refblockOffsetBytes` (a multiple of 512 below 2^53; 0 = none). */
export function encodeRefcountTableEntry(refblockOffsetBytes: number): bigint {
  return BigInt(refblockOffsetBytes);
}
