/**
 * Compressed cluster descriptors (CMP-1..CMP-3): x = 62 - (cluster_bits - 8); bits 0..x-1 hold the
 * host byte offset, bits x..61 the number of additional 512-byte sectors. For every cluster size
 * from 512 B to 2 MiB, x lies in 49..61, so both fields come from the high word plus the low word.
 */
import { joinHalves } from './table-view.js';

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
export function decodeCompressedDescriptor(hi: number, lo: number, clusterBits: number): CompressedDescriptor {
  const shiftInHi = compressedSizeShift(clusterBits) - 32;
  const offsetHi = hi & ((1 << shiftInHi) - 1);
  const countMask = 2 ** (clusterBits - 8) - 1;
  const additionalSectorCount = ((hi & 0x3fffffff) >>> shiftInHi) & countMask;
  const hostOffsetBytes = joinHalves(offsetHi >>> 0, lo >>> 0);
  return {
    hostOffsetBytes,
    additionalSectorCount,
    sizeBytes: (additionalSectorCount + 1) * 512 - (hostOffsetBytes % 512),
  };
}

/**
 * Encodes a compressed L2 entry for a stream of `streamBytes` at `hostOffsetBytes`. The caller
 * guarantees the offset fits in x bits and the stream in one cluster plus the offset's sector.
 */
export function encodeCompressedDescriptor(hostOffsetBytes: number, streamBytes: number, clusterBits: number): bigint {
  const firstSector = Math.floor(hostOffsetBytes / 512);
  const lastSector = Math.floor((hostOffsetBytes + streamBytes - 1) / 512);
  const additional = BigInt(lastSector - firstSector);
  return (1n << 62n) | (additional << BigInt(compressedSizeShift(clusterBits))) | BigInt(hostOffsetBytes);
}
