/**
 * Hole probe: which parts of a host file are holes, as QEMU's file-posix block status reports them
 * with SEEK_DATA/SEEK_HOLE. When the HostFile carries the file system's hole map, that answers.
 * Otherwise (no file system behind the bytes, or it could not be asked) crashcow decides from
 * content: a file-system block (HostFile.holeGranularityBytes) that reads as all zeros counts as
 * a hole, and so does everything past the end of the file. That fallback differs from QEMU for
 * blocks of explicit zeros the file system stores as data (QEMU says data, it says zero).
 */
import type { HoleRun, HostFile } from './layer.js';

/** Bytes read per probe step: large enough to amortise reads, small enough to stay cheap. */
const PROBE_CHUNK_BYTES = 1 << 20;

/**
 * Finds the longest run at `offsetBytes` (at most `maxLengthBytes`) that is all hole or all data
 * and writes it to `out`. Past the end of the file is hole. From content, it reads at most the run
 * plus one chunk of the file.
 */
export function probeHole(file: HostFile, offsetBytes: number, maxLengthBytes: number, out: HoleRun): void {
  if (file.holes) {
    file.holes.probe(offsetBytes, maxLengthBytes, out);
    return;
  }
  probeContent(file, offsetBytes, maxLengthBytes, out);
}

function probeContent(file: HostFile, offsetBytes: number, maxLengthBytes: number, out: HoleRun): void {
  const endBytes = offsetBytes + maxLengthBytes;
  const fileSizeBytes = file.source.sizeBytes;
  if (offsetBytes >= fileSizeBytes) {
    out.hole = true;
    out.lengthBytes = maxLengthBytes;
    return;
  }
  const blockBytes = file.holeGranularityBytes;
  const hole = isZeroBlock(file, Math.floor(offsetBytes / blockBytes) * blockBytes, fileSizeBytes);
  let pos = (Math.floor(offsetBytes / blockBytes) + 1) * blockBytes;
  while (pos < endBytes && pos < fileSizeBytes) {
    const wantBytes = Math.min(PROBE_CHUNK_BYTES, endBytes - pos, fileSizeBytes - pos);
    const chunk = file.source.read(pos, wantBytes);
    const changeAt = firstChange(chunk, blockBytes, hole);
    if (changeAt >= 0) {
      pos += changeAt;
      break;
    }
    pos += chunk.length;
    if (chunk.length < wantBytes) break; // the file shrank under us: the rest is past EOF
  }
  // Past the end of the file everything is a hole: a data run stops there, a hole run goes on.
  if (!hole) pos = Math.min(pos, fileSizeBytes);
  else if (pos >= fileSizeBytes) pos = endBytes;
  out.hole = hole;
  out.lengthBytes = Math.min(pos, endBytes) - offsetBytes;
}

function isZeroBlock(file: HostFile, blockStartBytes: number, fileSizeBytes: number): boolean {
  const lengthBytes = Math.min(file.holeGranularityBytes, fileSizeBytes - blockStartBytes);
  return allZero(file.source.read(blockStartBytes, lengthBytes), 0, lengthBytes);
}

/**
 * Offset in `chunk` (which starts on a block boundary) of the first block whose zero-ness differs
 * from `hole`, or -1 when every block matches.
 */
function firstChange(chunk: Uint8Array, blockBytes: number, hole: boolean): number {
  const words = chunk.byteOffset % 4 === 0 && blockBytes % 4 === 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length >>> 2) : null;
  for (let start = 0; start < chunk.length; start += blockBytes) {
    const end = Math.min(start + blockBytes, chunk.length);
    const zero = words ? wordsZero(words, chunk, start, end) : allZero(chunk, start, end);
    if (zero !== hole) return start;
  }
  return -1;
}

function wordsZero(words: Uint32Array, bytes: Uint8Array, start: number, end: number): boolean {
  const wordEnd = end >>> 2;
  for (let w = start >>> 2; w < wordEnd; w++) if (words[w] !== 0) return false;
  for (let i = wordEnd * 4; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** True when bytes[start, end) are all zero. */
export function allZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}
