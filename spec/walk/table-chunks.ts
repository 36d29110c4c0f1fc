/**
 * Chunked reads of untrusted tables: only the part of a table inside the file is read (what lies
 * past the end reads as zeros in QEMU, and a zero entry references nothing), in pieces of at most
 * `checkLimits.readChunkBytes`, each a whole number of entries (a partial last entry is zero-padded).
 */
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { CLAMPED_OFFSET_BYTES } from '../format/table-view.js';
import { checkLimits } from './check-limits.js';

/** An offset from an image field as a number; anything at or past 2^53 (past every file) becomes 2^53. */
export function clampOffset(offsetBytes: bigint): number {
  return offsetBytes >= BigInt(CLAMPED_OFFSET_BYTES) ? CLAMPED_OFFSET_BYTES : Number(offsetBytes);
}

/**
 * Calls `visit(chunk, firstEntryIndex)` for the in-file part of the table of `entryCount` entries of
 * `entrySizeBytes` at `offsetBytes`. Reads at most `chunkBytes` at a time. Returns the number of
 * bytes read (for scan budgets).
 */
export function forEachTableChunk(
  source: ByteSource,
  offsetBytes: number,
  entryCount: number,
  entrySizeBytes: number,
  visit: (chunk: Uint8Array, firstEntryIndex: number) => void,
  chunkBytes: number = checkLimits.readChunkBytes,
): number {
  if (offsetBytes >= source.sizeBytes || entryCount <= 0) return 0;
  const inFileEntries = Math.min(entryCount, Math.ceil((source.sizeBytes - offsetBytes) / entrySizeBytes));
  const entriesPerChunk = Math.max(1, Math.floor(chunkBytes / entrySizeBytes));
  let done = 0;
  while (done < inFileEntries) {
    const n = Math.min(entriesPerChunk, inFileEntries - done);
    visit(readPadded(source, offsetBytes + done * entrySizeBytes, n * entrySizeBytes), done);
    done += n;
  }
  return inFileEntries * entrySizeBytes;
}
