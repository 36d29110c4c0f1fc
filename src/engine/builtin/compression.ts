/**
 * Compressed clusters (CMP-1..CMP-5): reading a descriptor's bytes and inflating them to exactly one
 * cluster (raw deflate, or zstd), and deflating a cluster for `write -c`. Decompression stops once a
 * cluster is produced (trailing bytes belong to the next stream); a stream that cannot fill a cluster
 * is a FormatError naming CMP-4.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { Decompress } from 'fzstd';
import { hex } from '../../../spec/format/bounded-reader.js';
import { decodeCompressedDescriptor } from '../../../spec/format/compressed-descriptor.js';
import { compressionTypes } from '../../../spec/format/feature-bits.js';
import { FormatError } from '../../../spec/format/format-error.js';
import { checkedOffset } from './checked-offset.js';
import type { Qcow2State } from './state.js';

/** The guest bytes of the compressed cluster whose L2 entry halves are (hi, lo). */
export function decompressCluster(s: Qcow2State, hi: number, lo: number): Uint8Array {
  const key = `${hi}:${lo}`;
  if (s.decompressed?.key === key) return s.decompressed.bytes;
  const d = decodeCompressedDescriptor(hi, lo, s.g.clusterBits);
  checkedOffset(d.hostOffsetBytes, d.sizeBytes, 1, 'CMP-1', () => `compressed descriptor ${hex(hi)}:${hex(lo)}`);
  const stream = s.device.read(d.hostOffsetBytes, d.sizeBytes);
  const cs = s.g.clusterSizeBytes;
  const out = s.header.compressionType === compressionTypes.zstd ? inflateZstd(stream, cs) : inflateDeflate(stream, cs);
  if (!out || out.length < cs) {
    throw new FormatError('CMP-4', `compressed cluster @${hex(d.hostOffsetBytes)}`, `stream of ${d.sizeBytes} bytes does not decompress to a ${cs}-byte cluster`);
  }
  const bytes = out.length === cs ? out : out.slice(0, cs);
  s.decompressed = { key, bytes };
  return bytes;
}

function inflateDeflate(stream: Uint8Array, clusterSizeBytes: number): Uint8Array | undefined {
  try {
    const out = inflateRawSync(stream, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: clusterSizeBytes * 2 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch {
    return undefined;
  }
}

function inflateZstd(stream: Uint8Array, clusterSizeBytes: number): Uint8Array | undefined {
  const out = new Uint8Array(clusterSizeBytes);
  let got = 0;
  const d = new Decompress((chunk) => {
    const n = Math.min(chunk.length, clusterSizeBytes - got);
    out.set(chunk.subarray(0, n), got);
    got += n;
  });
  try {
    d.push(stream, false);
  } catch {
    // Trailing bytes after the frame (the next stream) may not parse; only a short cluster is an error.
  }
  return got === clusterSizeBytes ? out : undefined;
}

/**
 * Deflates one cluster the way QEMU does (raw deflate, 4 KiB window). Returns undefined when the
 * stream would not be smaller than the cluster (then the data is written uncompressed).
 */
export function deflateCluster(data: Uint8Array, clusterSizeBytes: number): Uint8Array | undefined {
  const out = deflateRawSync(data, { windowBits: 12, memLevel: 9 });
  if (out.byteLength > clusterSizeBytes - 1) return undefined;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
