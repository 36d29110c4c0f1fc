/**
 * Reads one compressed cluster (CMP-1..CMP-4): decode the descriptor from the L2 entry's halves,
 * read (additional sectors + 1) * 512 - (offset mod 512) bytes at the unaligned host offset
 * (zeros past the end of the file), and decompress with the image's compression type.
 */
import { hex } from '../format/bounded-reader.js';
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { compressedSizeShift, decodeCompressedDescriptor } from '../format/compressed-descriptor.js';
import { compressionTypes } from '../format/feature-bits.js';
import { FormatError } from '../format/format-error.js';
import { inflateCluster } from './inflate-cluster.js';
import { zstdCluster } from './zstd-cluster.js';

/**
 * Returns the cluster's guest bytes (clusterSizeBytes long). Throws FormatError: CMP-3 (offset
 * bits at or above 56 set), CRASHCOW-OFFSET (offset beyond 2^53), HDR-13 (unknown compression
 * type), CMP-4 (stream does not decompress to one cluster).
 */
export function readCompressedCluster(
  source: ByteSource,
  entryHi: number,
  entryLo: number,
  clusterBits: number,
  compressionType: number,
  where: string,
): Uint8Array {
  const offsetHi = entryHi & ((1 << (compressedSizeShift(clusterBits) - 32)) - 1);
  const descriptor = decodeCompressedDescriptor(entryHi, entryLo, clusterBits);
  if (offsetHi >>> 24 !== 0) {
    throw new FormatError('CMP-3', where, `compressed data offset ${hex(descriptor.hostOffsetBytes)} has bits at or above 56 set`);
  }
  if (offsetHi >>> 21 !== 0) {
    throw new FormatError('CRASHCOW-OFFSET', where, `compressed data offset ${hex(descriptor.hostOffsetBytes)} is beyond 2^53`);
  }
  const clusterSizeBytes = 2 ** clusterBits;
  const stream = readPadded(source, descriptor.hostOffsetBytes, descriptor.sizeBytes);
  const at = `${where} (compressed @${hex(descriptor.hostOffsetBytes)}+${descriptor.sizeBytes})`;
  switch (compressionType) {
    case compressionTypes.deflate:
      return inflateCluster(stream, clusterSizeBytes, at);
    case compressionTypes.zstd:
      return zstdCluster(stream, clusterSizeBytes, at);
    default:
      throw new FormatError('HDR-13', 'header.compression_type @104', `unknown compression type ${compressionType}`);
  }
}
