/**
 * L2 slots: the raw halves of one L2 entry inside a cached table, standard (8 bytes) or extended
 * (16 bytes: the entry, then the subcluster bitmap whose high word holds the zero bits 32..63 and
 * whose low word the allocation bits 0..31, XL2-2). Decoding the entry's meaning is left to
 * spec/format/l2-entry.ts; this file only moves words.
 */
import { getU32, setU32 } from './be32.js';

/** Byte position of entry `index` in a table with `entrySizeBytes`-byte entries. */
export function slotPosition(index: number, entrySizeBytes: number): number {
  return index * entrySizeBytes;
}

/** High word (bits 32..63) of the entry at byte `p`: flags and the top of the offset. */
export function slotHi(table: Uint8Array, p: number): number {
  return getU32(table, p);
}

/** Low word (bits 0..31) of the entry at byte `p`. */
export function slotLo(table: Uint8Array, p: number): number {
  return getU32(table, p + 4);
}

/** Zero bits (bitmap bits 32..63, one per subcluster) of an extended slot. */
export function slotZeroBits(table: Uint8Array, p: number): number {
  return getU32(table, p + 8);
}

/** Allocation bits (bitmap bits 0..31) of an extended slot. */
export function slotAllocBits(table: Uint8Array, p: number): number {
  return getU32(table, p + 12);
}

/** Stores an entry's two halves at byte `p`. */
export function setSlot(table: Uint8Array, p: number, hi: number, lo: number): void {
  setU32(table, p, hi >>> 0);
  setU32(table, p + 4, lo >>> 0);
}

/** Stores an extended entry's subcluster bitmap at byte `p` (XL2-2). */
export function setSlotBitmap(table: Uint8Array, p: number, zeroBits: number, allocBits: number): void {
  setU32(table, p + 8, zeroBits >>> 0);
  setU32(table, p + 12, allocBits >>> 0);
}

/** Bitmask of subclusters [first, first+count) (count 1..32). */
export function subclusterMask(first: number, count: number): number {
  return count >= 32 ? 0xffffffff : (((1 << count) - 1) << first) >>> 0;
}
