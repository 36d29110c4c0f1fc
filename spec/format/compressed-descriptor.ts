/**
 * Compressed cluster descriptors (CMP-1..CMP-3): x = 62 - (cluster_bits - 8); bits 0..x-1 hold the
 * host byte offset, bits x..61 the number of additional 512-byte sectors. For every cluster size
 * from 512 B to 2 MiB, x lies in 49..61, so both fields come from the high word plus the low word.
 */
import { COMPRESSED_HI_BIT } from './l2-entry.js';
import { halvesToWord, highHalf, joinHalves, lowHalf } from './table-view.js';

/** Bits 32..61 of a compressed descriptor: everything in the high word but the two flag bits. */
const DESCRIPTOR_HI_MASK = 0x3fffffff;

export interface CompressedDescriptor {
  /** Host byte offset of the compressed stream (unaligned). */
  hostOffsetBytes: number;
  /** The stored count of additional sectors. */
  additionalSectorCount: number;
  /** Bytes to read: (additional + 1) * 512 - (offset & 511) (CMP-2). */
  sizeBytes: number;
}

/** Bit position x where the sector count starts, for a cluster_bits value. */
export function compressedSizeShift(clusterBits: number): number {
  return 62 - (clusterBits - 8);
}

/** Decodes a compressed descriptor from the entry's halves. */
/**
 * CMP-3: any host offset bit at or above 56 is set in the high word `hi` of a compressed descriptor.
 * The offset field reaches past bit 55 only with clusters below 16 KiB; otherwise this is false.
 */
export function compressedHighOffsetBitsSet(hi: number, clusterBits: number): boolean {
  const offsetBits = compressedSizeShift(clusterBits);
  if (offsetBits <= 56) return false;
  const highMaskInHi = ((2 ** (offsetBits - 32) - 1) & ~0x00ffffff) >>> 0;
  return (hi & highMaskInHi) !== 0;
}

export function decodeCompressedDescriptor(hi: number, lo: number, clusterBits: number): CompressedDescriptor {
  const shiftInHi = compressedSizeShift(clusterBits) - 32;
  const offsetHi = hi & ((1 << shiftInHi) - 1);
  const countMask = 2 ** (clusterBits - 8) - 1;
  const additionalSectorCount = ((hi & DESCRIPTOR_HI_MASK) >>> shiftInHi) & countMask;
  const hostOffsetBytes = joinHalves(offsetHi >>> 0, lo >>> 0);
  return {
    hostOffsetBytes,
    additionalSectorCount,
    sizeBytes: (additionalSectorCount + 1) * 512 - (hostOffsetBytes % 512),
  };
}

/**
 * High word of the compressed L2 entry for a stream of `streamBytes` at `hostOffsetBytes`: the
 * compressed flag, the additional sector count at bit x and bits 32..x-1 of the offset. The caller
 * guarantees the offset fits in x bits and the stream in one cluster plus the offset's sector.
 */
export function compressedDescriptorHi(hostOffsetBytes: number, streamBytes: number, clusterBits: number): number {
  const firstSector = Math.floor(hostOffsetBytes / 512);
  const lastSector = Math.floor((hostOffsetBytes + streamBytes - 1) / 512);
  const additional = lastSector - firstSector;
  return (COMPRESSED_HI_BIT | (additional << (compressedSizeShift(clusterBits) - 32)) | highHalf(hostOffsetBytes)) >>> 0;
}

/** Low word of a compressed L2 entry: bits 0..31 of the host offset. */
export function compressedDescriptorLo(hostOffsetBytes: number): number {
  return lowHalf(hostOffsetBytes);
}

/** Encodes a compressed L2 entry (see compressedDescriptorHi) as a bigint word. */
export function encodeCompressedDescriptor(hostOffsetBytes: number, streamBytes: number, clusterBits: number): bigint {
  return halvesToWord(compressedDescriptorHi(hostOffsetBytes, streamBytes, clusterBits), compressedDescriptorLo(hostOffsetBytes));
}
