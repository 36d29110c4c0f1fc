/**
 * Deflate for compressed clusters (CMP-4, type 0): a raw deflate stream, no zlib header. As the
 * spec says, decompression stops once one cluster is produced; bytes after the stream (the tail
 * of the last sector may hold the next compressed cluster) are ignored. node:zlib is computation
 * here, not I/O. Output is bounded: a stream that would inflate past the cluster is cut, never
 * materialised.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { FormatError } from '../format/format-error.js';

/** Extra output allowed beyond one cluster before zlib stops (one input byte yields far less). */
const OVERSHOOT_BYTES = 64 * 1024;

/**
 * Inflates the first `clusterSizeBytes` bytes of a raw deflate stream. Throws FormatError CMP-4
 * when the stream is invalid or ends before a whole cluster was produced (`where` locates it).
 */
export function inflateCluster(stream: Uint8Array, clusterSizeBytes: number, where: string): Uint8Array {
  const out = inflateBounded(stream, clusterSizeBytes, where) ?? inflatePrefix(stream, clusterSizeBytes, where);
  if (out.length < clusterSizeBytes) {
    throw new FormatError('CMP-4', where, `deflate stream yields ${out.length} bytes, less than the cluster size ${clusterSizeBytes}`);
  }
  return out.subarray(0, clusterSizeBytes);
}

/** Inflates all of `stream`, or returns undefined when it would exceed the output bound. */
function inflateBounded(stream: Uint8Array, clusterSizeBytes: number, where: string): Uint8Array | undefined {
  try {
    return new Uint8Array(
      inflateRawSync(stream, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: clusterSizeBytes + OVERSHOOT_BYTES }),
    );
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw new FormatError('CMP-4', where, `invalid deflate stream: ${(err as Error).message}`);
  }
}

/**
 * The stream inflates to more than the bound: find the longest input prefix that stays within it
 * (output grows with the prefix, at most a few hundred bytes per input byte) and inflate that.
 */
function inflatePrefix(stream: Uint8Array, clusterSizeBytes: number, where: string): Uint8Array {
  let fitsBytes = 0;
  let overflowsBytes = stream.length;
  while (overflowsBytes - fitsBytes > 1) {
    const mid = Math.floor((fitsBytes + overflowsBytes) / 2);
    if (inflateBounded(stream.subarray(0, mid), clusterSizeBytes, where)) fitsBytes = mid;
    else overflowsBytes = mid;
  }
  return inflateBounded(stream.subarray(0, fitsBytes), clusterSizeBytes, where) ?? new Uint8Array(0);
}
