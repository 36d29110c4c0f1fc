/**
 * Compressed cluster invariants (CMP-1..CMP-5): the descriptor of a compressed L2 entry and the
 * stream formats it may hold.
 */
import { compressedHighOffsetBitsSet } from '../format/compressed-descriptor.js';
import { hasCopied } from '../format/l1-entry.js';
import { finding, NO_FINDINGS, type Finding } from './finding.js';
import { L2Violation } from './l2-violations.js';

/** What a compressed entry's predicate needs about the image. */
export interface CompressedContext {
  clusterBits: number;
  externalDataFile: boolean;
}

/**
 * CMP-1 / CMP-5: COPIED (bit 63) is never set. L2-7: no compressed clusters with an external data
 * file. XL2-5: the subcluster bitmap of a compressed entry is 0. CMP-3: offset bits >= 56 are 0
 * (only reachable with clusters below 16 KiB, where the offset field is wider than 56 bits).
 */
export function compressedEntryViolations(hi: number, _lo: number, bitmapHi: number, bitmapLo: number, ctx: CompressedContext): number {
  let mask = 0;
  if (hasCopied(hi)) mask |= L2Violation.compressedCopied;
  if (ctx.externalDataFile) mask |= L2Violation.compressedWithDataFile;
  if (bitmapHi !== 0 || bitmapLo !== 0) mask |= L2Violation.compressedBitmap;
  if (compressedHighOffsetBitsSet(hi, ctx.clusterBits)) mask |= L2Violation.compressedHighOffset;
  return mask;
}

/**
 * CMP-4: compressed streams are raw deflate (type 0) or zstd (type 1); any other compression type
 * leaves the streams unreadable.
 */
export function compressionStreamFindings(compressionType: number): readonly Finding[] {
  if (compressionType === 0 || compressionType === 1) return NO_FINDINGS;
  return [finding('CMP-4', 'check-error', 'header.compression_type @0x68', `no stream format is defined for compression type ${compressionType}`, 'qemu-img 7.2 refuses to open such an image.')];
}

/**
 * CMP-2: a compressed stream of `sizeBytes` at `hostOffsetBytes` lies inside the file (it may run
 * into the next cluster). Returns the number of bytes missing past the end of the file.
 */
export function compressedStreamMissingBytes(hostOffsetBytes: number, sizeBytes: number, fileSizeBytes: number): number {
  return Math.max(0, hostOffsetBytes + sizeBytes - fileSizeBytes);
}
