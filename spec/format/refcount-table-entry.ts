/**
 * Refcount table entries (RC-1): bits 9..63 the refcount block offset, bits 0..8 reserved.
 */
import { joinHalves } from './table-view.js';

export const REFTABLE_RESERVED_LO_MASK = 0x1ff;

export interface RefcountTableEntry {
  /** Refcount block offset in bytes; 0 = no block, all its refcounts are 0. */
  refblockOffsetBytes: number;
  reservedBitsSet: boolean;
}

export function decodeRefcountTableEntry(hi: number, lo: number): RefcountTableEntry {
  return {
    refblockOffsetBytes: joinHalves(hi >>> 0, (lo & 0xfffffe00) >>> 0),
    reservedBitsSet: (lo & REFTABLE_RESERVED_LO_MASK) !== 0,
  };
}
