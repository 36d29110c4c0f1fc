/**
 * Geometry: the derived sizes of an image and the tiny pure from-to helpers that map guest and
 * host offsets to table indexes. Built only from a header whose cluster_bits and refcount_order
 * were already checked (see geometryFromHeader).
 */
import { FormatError } from './format-error.js';
import { incompatibleBits } from './feature-bits.js';
import type { Header } from './header.js';
import { limits } from './limits.js';

export interface Geometry {
  clusterBits: number;
  clusterSizeBytes: number;
  extendedL2: boolean;
  /** 8 for standard L2 entries, 16 for extended ones (XL2-1). */
  l2EntrySizeBytes: number;
  /** Entries in one L2 table (L1-1). */
  l2EntryCount: number;
  /** Bytes of guest space one L2 table maps. */
  l2CoverageBytes: number;
  /** clusterSize/32 with extended L2, else clusterSize. */
  subclusterSizeBytes: number;
  refcountOrder: number;
  refcountBits: number;
  /** Entries in one refcount block (RC-2). */
  refblockEntryCount: number;
  /** Largest refcount value the width can hold (RC-8). */
  refcountMax: number;
  /** Virtual disk size in bytes (exact: refused above 2^53 by geometryFromHeader). */
  virtualSizeBytes: number;
}

/** The part of a geometry the cluster helpers read (walk structures built from bits alone pass just this). */
export type ClusterSize = Pick<Geometry, 'clusterSizeBytes'>;
/** The part of a geometry the refcount-table helpers read. */
export type RefblockSize = Pick<Geometry, 'refblockEntryCount'>;

/**
 * Derives geometry from a header. Throws FormatError when cluster_bits (HDR-3), refcount_order
 * (HDR-11) or the virtual size (CRASHCOW-SIZE) make every other computation meaningless.
 */
export function geometryFromHeader(header: Header): Geometry {
  const extendedL2 = (header.incompatibleFeatures & incompatibleBits.extendedL2) !== 0n && header.version >= 3;
  if (header.clusterBits < limits.clusterBitsMin || header.clusterBits > 30) {
    throw new FormatError('HDR-3', 'header.cluster_bits @20', `cluster_bits ${header.clusterBits} outside 9..30`);
  }
  if (header.refcountOrder > 6) {
    throw new FormatError('HDR-11', 'header.refcount_order @96', `refcount_order ${header.refcountOrder} > 6`);
  }
  if (header.sizeBytes > BigInt(limits.safeOffsetBytesMax)) {
    throw new FormatError('CRASHCOW-SIZE', 'header.size @24', `virtual size ${header.sizeBytes} exceeds 2^53 bytes, which crashcow cannot address exactly`);
  }
  const clusterSizeBytes = 2 ** header.clusterBits;
  const l2EntrySizeBytes = extendedL2 ? 16 : 8;
  const l2EntryCount = clusterSizeBytes / l2EntrySizeBytes;
  const refcountBits = 2 ** header.refcountOrder;
  return {
    clusterBits: header.clusterBits,
    clusterSizeBytes,
    extendedL2,
    l2EntrySizeBytes,
    l2EntryCount,
    l2CoverageBytes: l2EntryCount * clusterSizeBytes,
    subclusterSizeBytes: extendedL2 ? clusterSizeBytes / 32 : clusterSizeBytes,
    refcountOrder: header.refcountOrder,
    refcountBits,
    refblockEntryCount: (clusterSizeBytes * 8) / refcountBits,
    refcountMax: refcountBits === 64 ? 2 ** 64 - 1 : 2 ** refcountBits - 1,
    virtualSizeBytes: Number(header.sizeBytes),
  };
}

/** L1 index of a guest offset. */
export function guestOffsetToL1Index(g: Geometry, guestOffsetBytes: number): number {
  return Math.floor(guestOffsetBytes / g.l2CoverageBytes);
}

/** Index inside its L2 table of the cluster holding a guest offset. */
export function guestOffsetToL2Index(g: Geometry, guestOffsetBytes: number): number {
  return Math.floor(guestOffsetBytes / g.clusterSizeBytes) % g.l2EntryCount;
}

/** Subcluster index (0..31) of a guest offset inside its cluster (extended L2 only). */
export function guestOffsetToSubclusterIndex(g: Geometry, guestOffsetBytes: number): number {
  return Math.floor((guestOffsetBytes % g.clusterSizeBytes) / g.subclusterSizeBytes);
}

/** Minimum L1 entry count for a virtual size (HDR-8: size_to_l1). */
export function sizeToL1EntryCount(g: Geometry, sizeBytes: number): number {
  return Math.ceil(sizeBytes / g.l2CoverageBytes);
}

/** Number of clusters needed to hold `sizeBytes` (rounded up). */
export function sizeToClusterCount(g: ClusterSize, sizeBytes: number): number {
  return Math.ceil(sizeBytes / g.clusterSizeBytes);
}

/** Bytes of `clusterCount` whole clusters. */
export function clusterCountToSize(g: ClusterSize, clusterCount: number): number {
  return clusterCount * g.clusterSizeBytes;
}

/** Index of the cluster holding a host or guest offset (clusters have one size, GEN-2). */
export function offsetToClusterIndex(g: ClusterSize, offsetBytes: number): number {
  return Math.floor(offsetBytes / g.clusterSizeBytes);
}

/** Offset of the first byte of cluster `clusterIndex`. */
export function clusterIndexToOffset(g: ClusterSize, clusterIndex: number): number {
  return clusterIndex * g.clusterSizeBytes;
}

/** Offset of the first byte of the cluster holding `offsetBytes` (the offset rounded down). */
export function offsetToClusterStart(g: ClusterSize, offsetBytes: number): number {
  return offsetBytes - (offsetBytes % g.clusterSizeBytes);
}

/** True when an offset read from a header field (a bigint) or a table lies on a cluster boundary. */
export function isClusterAligned(g: ClusterSize, offsetBytes: number | bigint): boolean {
  return typeof offsetBytes === 'bigint' ? offsetBytes % BigInt(g.clusterSizeBytes) === 0n : offsetBytes % g.clusterSizeBytes === 0;
}

/** Offset inside its cluster (non-zero means unaligned). */
export function offsetIntoCluster(g: ClusterSize, offsetBytes: number): number {
  return offsetBytes % g.clusterSizeBytes;
}

/**
 * Low-word mask of the offset bits below the cluster size: the low half `lo` of an offset is
 * cluster-aligned when `lo & clusterAlignMaskLo(clusterBits)` is 0 (cluster sizes divide 2^32).
 */
export function clusterAlignMaskLo(clusterBits: number): number {
  return clusterBits >= 32 ? -1 : (1 << clusterBits) - 1;
}

/** Refcount table index of a host cluster index (RC-3). */
export function clusterIndexToReftableIndex(g: RefblockSize, clusterIndex: number): number {
  return Math.floor(clusterIndex / g.refblockEntryCount);
}

/** Entry index inside its refcount block of a host cluster index (RC-3). */
export function clusterIndexToRefblockIndex(g: RefblockSize, clusterIndex: number): number {
  return clusterIndex % g.refblockEntryCount;
}
