/**
 * Zstandard for compressed clusters (CMP-4, type 1). The stream is one or more zstd frames that
 * together produce exactly one cluster; a frame may not run past the cluster (QEMU fails such a
 * read too), and bytes after the frame that completes the cluster are ignored. Frames are
 * delimited here by walking their block headers, so each frame's window is checked against a
 * named limit before fzstd allocates it, and output is written straight into the cluster buffer.
 */
import { Decompress } from 'fzstd';
import { FormatError, isFormatError } from '../format/format-error.js';

/** CRASHCOW: largest zstd window accepted (fzstd allocates it). QEMU-written frames need <= 2 MiB. */
export const ZSTD_WINDOW_BYTES_MAX = 32 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/**
 * Decompresses one cluster from `stream`. Throws FormatError CMP-4 for a malformed, truncated,
 * too short or overlong stream (`where` locates it in the image).
 */
export function zstdCluster(stream: Uint8Array, clusterSizeBytes: number, where: string): Uint8Array {
  const out = new Uint8Array(clusterSizeBytes);
  let producedBytes = 0;
  let pos = 0;
  while (producedBytes < clusterSizeBytes) {
    if (pos + 8 > stream.length) fail(where, `stream ends after ${producedBytes} of ${clusterSizeBytes} bytes`);
    const magic = u32le(stream, pos);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + u32le(stream, pos + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) fail(where, `no zstd frame at stream offset ${pos}`);
    const frameEnd = frameEndOf(stream, pos, clusterSizeBytes - producedBytes, where);
    producedBytes = decodeFrame(stream.subarray(pos, frameEnd), out, producedBytes, where);
    pos = frameEnd;
  }
  return out;
}

/** Validates the frame header at `pos` and returns the offset just past the frame. */
function frameEndOf(stream: Uint8Array, pos: number, roomBytes: number, where: string): number {
  const descriptor = stream[pos + 4];
  const singleSegment = (descriptor & 0x20) !== 0;
  const sizeFlag = descriptor >>> 6;
  const dictFlag = descriptor & 3;
  if ((descriptor & 0x08) !== 0) fail(where, 'reserved bit set in the zstd frame header');
  if (dictFlag !== 0) fail(where, 'zstd frame needs a dictionary, which qcow2 never provides');
  const sizeFieldBytes = sizeFlag === 0 ? (singleSegment ? 1 : 0) : 1 << sizeFlag;
  let p = pos + 5;
  let windowBytes = 0;
  if (!singleSegment) {
    const wd = stream[p++];
    const baseBytes = 2 ** (10 + (wd >>> 3));
    windowBytes = baseBytes + (baseBytes / 8) * (wd & 7);
  }
  if (p + sizeFieldBytes > stream.length) fail(where, 'truncated zstd frame header');
  let contentBytes = 0;
  for (let i = sizeFieldBytes - 1; i >= 0; i--) contentBytes = contentBytes * 256 + stream[p + i];
  if (sizeFieldBytes === 2) contentBytes += 256;
  p += sizeFieldBytes;
  if (singleSegment) windowBytes = contentBytes;
  if (sizeFieldBytes > 0 && contentBytes > roomBytes) fail(where, `zstd frame declares ${contentBytes} bytes, more than the ${roomBytes} left in the cluster`);
  if (windowBytes > ZSTD_WINDOW_BYTES_MAX) fail(where, `zstd window of ${windowBytes} bytes exceeds crashcow's limit of ${ZSTD_WINDOW_BYTES_MAX}`);
  for (;;) {
    if (p + 3 > stream.length) fail(where, 'truncated zstd block header');
    const header = stream[p] | (stream[p + 1] << 8) | (stream[p + 2] << 16);
    const blockType = (header >>> 1) & 3;
    if (blockType === 3) fail(where, 'reserved zstd block type');
    p += 3 + (blockType === 1 ? 1 : header >>> 3);
    if ((header & 1) !== 0) break;
  }
  p += (descriptor & 0x04) !== 0 ? 4 : 0;
  if (p > stream.length) fail(where, 'truncated zstd frame');
  return p;
}

/** Decodes one frame into `out` from `startBytes`; returns the new fill level. */
function decodeFrame(frame: Uint8Array, out: Uint8Array, startBytes: number, where: string): number {
  let fillBytes = startBytes;
  const decoder = new Decompress((chunk) => {
    if (fillBytes + chunk.length > out.length) fail(where, 'zstd frame decompresses past the end of the cluster');
    out.set(chunk, fillBytes);
    fillBytes += chunk.length;
  });
  try {
    decoder.push(frame, true);
  } catch (err) {
    if (isFormatError(err)) throw err;
    fail(where, `invalid zstd stream: ${(err as Error).message}`);
  }
  return fillBytes;
}

function u32le(bytes: Uint8Array, pos: number): number {
  return (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
}

function fail(where: string, detail: string): never {
  throw new FormatError('CMP-4', where, detail);
}
