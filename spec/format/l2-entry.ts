/**
 * L2 entries, standard (L2-1..L2-4) and extended (XL2-1..XL2-4): the one place an L2 entry is
 * decoded. Classification follows the spec's cluster types; `clusterTypeOf` works on the two
 * 32-bit halves so the checker's hot loop allocates nothing.
 */
import { hasCopied, withCopied } from './l1-entry.js';
import { clusterAlignMaskLo } from './geometry.js';
import { halvesToWord, highHalf, joinHalves, lowHalf } from './table-view.js';

// The functions below read the module-private constants, not the exported ones: V8 folds a
// private constant into the hot loops that inline these functions, but loads an exported binding
// from its module cell on every use.
const COMPRESSED_HI = 0x40000000;
export const COMPRESSED_HI_BIT = COMPRESSED_HI;
const ZERO_LO = 0x1;
export const ZERO_LO_BIT = ZERO_LO;
const OFFSET_HI = 0x00ffffff;
const OFFSET_LO = 0xfffffe00;
/** Standard descriptor reserved bits 56..61 (high word) and 1..8 (low word) (L2-3). */
const RESERVED_HI = 0x3f000000;
export const L2_RESERVED_HI_MASK = RESERVED_HI;
const RESERVED_LO = 0x000001fe;
export const L2_RESERVED_LO_MASK = RESERVED_LO;
/** High-word bits that make an entry other than a plain standard one: reserved 56..61 or compressed. */
export const L2_NOT_PLAIN_HI_MASK = L2_RESERVED_HI_MASK | COMPRESSED_HI_BIT;

/** Cluster types of a standard L2 entry (L2-4). */
export const ClusterType = {
  unallocated: 0,
  zeroPlain: 1,
  zeroAlloc: 2,
  normal: 3,
  compressed: 4,
} as const;
export type ClusterType = (typeof ClusterType)[keyof typeof ClusterType];

/** The compressed flag (bit 62) is set in the high word `hi` of an L2 entry. */
export function hasCompressedFlag(hi: number): boolean {
  return (hi & COMPRESSED_HI) !== 0;
}

/** Any reserved bit (1..8 or 56..61) of the standard descriptor with halves (hi, lo) is set (L2-3). */
export function l2EntryReservedBitsSet(hi: number, lo: number): boolean {
  return (hi & RESERVED_HI) !== 0 || (lo & RESERVED_LO) !== 0;
}

/** The host offset of a standard descriptor with low half `lo` is cluster-aligned (L2-2). */
export function l2HostOffsetAligned(lo: number, clusterBits: number): boolean {
  return (lo & OFFSET_LO & clusterAlignMaskLo(clusterBits)) === 0;
}

/**
 * Type of the cluster an entry describes (L2-4). With extended L2 the zero flag is unused, so only
 * unallocated / normal / compressed occur. With an external data file, offset 0 plus COPIED is a
 * normal cluster at host offset 0.
 */
export function clusterTypeOf(hi: number, lo: number, extendedL2: boolean, externalDataFile: boolean): ClusterType {
  if ((hi & COMPRESSED_HI) !== 0) return ClusterType.compressed;
  const hasOffset = (hi & OFFSET_HI) !== 0 || (lo & OFFSET_LO) !== 0;
  if (!extendedL2 && (lo & ZERO_LO) !== 0) return hasOffset ? ClusterType.zeroAlloc : ClusterType.zeroPlain;
  if (hasOffset) return ClusterType.normal;
  if (externalDataFile && hasCopied(hi)) return ClusterType.normal;
  return ClusterType.unallocated;
}

/** Host offset of a standard (non-compressed) descriptor, bits 9..55. */
export function l2HostOffsetBytes(hi: number, lo: number): number {
  return joinHalves(hi & OFFSET_HI, (lo & OFFSET_LO) >>> 0);
}

/**
 * Host cluster index of a standard descriptor's offset field (bits 9..55), computed from the halves
 * without forming the 64-bit offset. Exact only for a cluster-aligned offset; an unaligned one
 * gives the cluster it starts in.
 */
export function l2HostClusterIndex(hi: number, lo: number, clusterBits: number): number {
  return (hi & OFFSET_HI) * 2 ** (32 - clusterBits) + ((lo & OFFSET_LO) >>> clusterBits);
}

/**
 * l2HostClusterIndex in 32-bit arithmetic, for hot loops that index typed arrays with it (a
 * product of doubles would leave them indexing with a double): the index when it is below 2^31,
 * i.e. the offset is below 2^(31 + clusterBits), else -1.
 */
export function l2HostClusterIndexInt32(hi: number, lo: number, clusterBits: number): number {
  const offsetHi = hi & OFFSET_HI;
  if (offsetHi >>> (clusterBits - 1) !== 0) return -1;
  return (offsetHi << (32 - clusterBits)) | ((lo & OFFSET_LO) >>> clusterBits);
}

/** The zero flag (bit 0) of a standard descriptor is set (L2-5; unused with extended L2). */
export function hasZeroFlag(lo: number): boolean {
  return (lo & ZERO_LO) !== 0;
}

/** The low word `lo` of a standard L2 entry with the zero flag (bit 0) set. */
export function withZeroFlag(lo: number): number {
  return (lo | ZERO_LO) >>> 0;
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
