/**
 * L2 entries, standard (L2-1..L2-4) and extended (XL2-1..XL2-4): the one place an L2 entry is
 * decoded. Classification follows the spec's cluster types; `clusterTypeOf` works on the two
 * 32-bit halves so the checker's hot loop allocates nothing.
 */
import { hasCopied, withCopied } from './l1-entry.js';
import { halvesToWord, highHalf, joinHalves, lowHalf } from './table-view.js';

export const COMPRESSED_HI_BIT = 0x40000000;
export const ZERO_LO_BIT = 0x1;
export const L2_OFFSET_HI_MASK = 0x00ffffff;
export const L2_OFFSET_LO_MASK = 0xfffffe00;
/** Standard descriptor reserved bits 56..61 (high word) and 1..8 (low word) (L2-3). */
export const L2_RESERVED_HI_MASK = 0x3f000000;
export const L2_RESERVED_LO_MASK = 0x000001fe;

/** Cluster types of a standard L2 entry (L2-4). */
export const ClusterType = {
  unallocated: 0,
  zeroPlain: 1,
  zeroAlloc: 2,
  normal: 3,
  compressed: 4,
} as const;
export type ClusterType = (typeof ClusterType)[keyof typeof ClusterType];

/**
 * Type of the cluster an entry describes (L2-4). With extended L2 the zero flag is unused, so only
 * unallocated / normal / compressed occur. With an external data file, offset 0 plus COPIED is a
 * normal cluster at host offset 0.
 */
export function clusterTypeOf(hi: number, lo: number, extendedL2: boolean, externalDataFile: boolean): ClusterType {
  if ((hi & COMPRESSED_HI_BIT) !== 0) return ClusterType.compressed;
  const hasOffset = (hi & L2_OFFSET_HI_MASK) !== 0 || (lo & L2_OFFSET_LO_MASK) !== 0;
  if (!extendedL2 && (lo & ZERO_LO_BIT) !== 0) return hasOffset ? ClusterType.zeroAlloc : ClusterType.zeroPlain;
  if (hasOffset) return ClusterType.normal;
  if (externalDataFile && hasCopied(hi)) return ClusterType.normal;
  return ClusterType.unallocated;
}

/** Host offset of a standard (non-compressed) descriptor, bits 9..55. */
export function l2HostOffsetBytes(hi: number, lo: number): number {
  return joinHalves(hi & L2_OFFSET_HI_MASK, (lo & L2_OFFSET_LO_MASK) >>> 0);
}

/**
 * Host cluster index of a standard descriptor's offset field (bits 9..55), computed from the halves
 * without forming the 64-bit offset. Exact only for a cluster-aligned offset; an unaligned one
 * gives the cluster it starts in.
 */
export function l2HostClusterIndex(hi: number, lo: number, clusterBits: number): number {
  return (hi & L2_OFFSET_HI_MASK) * 2 ** (32 - clusterBits) + ((lo & L2_OFFSET_LO_MASK) >>> clusterBits);
}

/** The zero flag (bit 0) of a standard descriptor is set (L2-5; unused with extended L2). */
export function hasZeroFlag(lo: number): boolean {
  return (lo & ZERO_LO_BIT) !== 0;
}

/** The low word `lo` of a standard L2 entry with the zero flag (bit 0) set. */
export function withZeroFlag(lo: number): number {
  return (lo | ZERO_LO_BIT) >>> 0;
}

/** Subcluster types of an extended L2 entry (XL2-2..XL2-4). */
export const SubclusterType = {
  unallocatedPlain: 0,
  unallocatedAlloc: 1,
  zeroPlain: 2,
  zeroAlloc: 3,
  normal: 4,
  compressed: 5,
  invalid: 6,
} as const;
export type SubclusterType = (typeof SubclusterType)[keyof typeof SubclusterType];

/**
 * Type of subcluster `index` (0..31) given the cluster type and the 64-bit bitmap as halves
 * (`allocBits` = bits 0..31, `zeroBits` = bits 32..63). Any overlap of alloc and zero in a normal
 * cluster, or any alloc bit in an unallocated one, makes every subcluster invalid (XL2-3, XL2-4).
 */
export function subclusterTypeOf(type: ClusterType, allocBits: number, zeroBits: number, index: number): SubclusterType {
  const bit = 1 << index;
  switch (type) {
    case ClusterType.compressed:
      return SubclusterType.compressed;
    case ClusterType.normal:
      if ((allocBits & zeroBits) !== 0) return SubclusterType.invalid;
      if ((allocBits & bit) !== 0) return SubclusterType.normal;
      if ((zeroBits & bit) !== 0) return SubclusterType.zeroAlloc;
      return SubclusterType.unallocatedAlloc;
    case ClusterType.unallocated:
      if (allocBits !== 0) return SubclusterType.invalid;
      if ((zeroBits & bit) !== 0) return SubclusterType.zeroPlain;
      return SubclusterType.unallocatedPlain;
    default:
      // zero-plain / zero-alloc never occur with extended L2 (bit 0 unused).
      return SubclusterType.invalid;
  }
}

/** High word of a standard L2 entry: bits 32..55 of `hostOffsetBytes` (below 2^56) and COPIED. */
export function l2EntryHi(hostOffsetBytes: number, copied: boolean): number {
  return withCopied(highHalf(hostOffsetBytes), copied);
}

/** Low word of a standard L2 entry: bits 0..31 of `hostOffsetBytes` (a multiple of 512) and the zero flag. */
export function l2EntryLo(hostOffsetBytes: number, zero: boolean): number {
  const lo = lowHalf(hostOffsetBytes);
  return zero ? withZeroFlag(lo) : lo;
}

/** Encodes a standard L2 entry from parts, as a bigint word built from the same halves. */
export function encodeL2Entry(parts: { hostOffsetBytes: number; copied: boolean; zero?: boolean }): bigint {
  return halvesToWord(l2EntryHi(parts.hostOffsetBytes, parts.copied), l2EntryLo(parts.hostOffsetBytes, parts.zero === true));
}
