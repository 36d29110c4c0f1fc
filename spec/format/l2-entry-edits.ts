/**
 * Edits of a standard L2 entry's 32-bit halves that clear bits the format reserves or leaves
 * unused, keeping every other bit (offset, COPIED, compressed). A repair clears them without
 * changing what the entry maps.
 */
import { L2_RESERVED_HI_MASK, L2_RESERVED_LO_MASK, ZERO_LO_BIT } from './l2-entry.js';

/** The high word `hi` of an L2 entry with reserved bits 56..61 cleared (L2-3). */
export function withoutL2ReservedHi(hi: number): number {
  return (hi & ~L2_RESERVED_HI_MASK) >>> 0;
}

/** The low word `lo` of a standard L2 entry with reserved bits 1..8 cleared (L2-3). */
export function withoutL2ReservedLo(lo: number): number {
  return (lo & ~L2_RESERVED_LO_MASK) >>> 0;
}

/** The low word `lo` of an L2 entry with bit 0 (the zero flag; unused with extended L2) cleared. */
export function withoutZeroFlag(lo: number): number {
  return (lo & ~ZERO_LO_BIT) >>> 0;
}
