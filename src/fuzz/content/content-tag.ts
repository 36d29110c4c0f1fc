/**
 * Content that names its origin: every byte a fuzz workload writes derives from (write id, guest
 * position, content seed), so any 16-byte chunk read back says which write put it there and for
 * which guest offset. That makes "stale bytes from another place" and "a value nobody wrote"
 * detectable, and lets a mismatch report name the write the bytes came from.
 *
 * Chunk layout (16 bytes, little-endian u32s): magic, write id, guest chunk index (guest offset / 16),
 * check word = mix(seed, write id, chunk index). Write id 0 is the backing file's content.
 */

/** Bytes per tagged chunk; every chunk names its own origin. */
export const CHUNK_SIZE_BYTES = 16;

/** Guest sector size of the model, in bytes. */
export const SECTOR_SIZE_BYTES = 512;

/** Chunks per guest sector. */
export const CHUNKS_PER_SECTOR = SECTOR_SIZE_BYTES / CHUNK_SIZE_BYTES;

/** First word of every chunk ("ccw1" read as a little-endian u32). */
export const CHUNK_MAGIC = 0x31776363;

/** The write id whose content fills the backing file. */
export const BACKING_WRITE_ID = 0;

/** The check word of one chunk: a seeded hash of (write id, chunk index). */
export function chunkCheck(seed: number, writeId: number, chunkIndex: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ writeId;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ chunkIndex;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Fills `out` with the content of write `writeId` for guest bytes [guestOffsetBytes, +out.length).
 * Any offset and length are allowed; chunks cut by the range are cut the same way in every write.
 */
export function fillWriteContent(seed: number, writeId: number, guestOffsetBytes: number, out: Uint8Array): void {
  const endBytes = guestOffsetBytes + out.length;
  const firstWhole = Math.ceil(guestOffsetBytes / CHUNK_SIZE_BYTES);
  const endWhole = Math.floor(endBytes / CHUNK_SIZE_BYTES);
  if (endWhole > firstWhole) {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let c = firstWhole; c < endWhole; c++) writeChunk(view, c * CHUNK_SIZE_BYTES - guestOffsetBytes, seed, writeId, c);
  }
  const chunk = new Uint8Array(CHUNK_SIZE_BYTES);
  const chunkView = new DataView(chunk.buffer);
  for (const c of endWhole >= firstWhole ? [firstWhole - 1, endWhole] : [firstWhole - 1]) {
    const chunkStart = c * CHUNK_SIZE_BYTES;
    const from = Math.max(guestOffsetBytes, chunkStart);
    const to = Math.min(endBytes, chunkStart + CHUNK_SIZE_BYTES);
    if (to <= from) continue;
    writeChunk(chunkView, 0, seed, writeId, c);
    out.set(chunk.subarray(from - chunkStart, to - chunkStart), from - guestOffsetBytes);
  }
}

/** The content of write `writeId` for guest bytes [guestOffsetBytes, +lengthBytes). */
export function writeContent(seed: number, writeId: number, guestOffsetBytes: number, lengthBytes: number): Uint8Array {
  const out = new Uint8Array(lengthBytes);
  fillWriteContent(seed, writeId, guestOffsetBytes, out);
  return out;
}

function writeChunk(view: DataView, at: number, seed: number, writeId: number, chunkIndex: number): void {
  view.setUint32(at, CHUNK_MAGIC, true);
  view.setUint32(at + 4, writeId >>> 0, true);
  view.setUint32(at + 8, chunkIndex >>> 0, true);
  view.setUint32(at + 12, chunkCheck(seed, writeId, chunkIndex), true);
}

/** What one 16-byte chunk read back is. */
type ChunkOrigin =
  | { kind: 'zero' }
  | { kind: 'tag'; writeId: number; chunkIndex: number }
  | { kind: 'unknown' };

/**
 * Decodes the chunk at `at` in `bytes` (16 bytes must be there): all zeros, a valid tag of this
 * seed (naming the write and the guest chunk it was written for), or unknown bytes.
 */
export function decodeChunk(bytes: Uint8Array, at: number, seed: number): ChunkOrigin {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, CHUNK_SIZE_BYTES);
  const w0 = view.getUint32(0, true);
  const w1 = view.getUint32(4, true);
  const w2 = view.getUint32(8, true);
  const w3 = view.getUint32(12, true);
  if ((w0 | w1 | w2 | w3) === 0) return { kind: 'zero' };
  if (w0 === CHUNK_MAGIC && w3 === chunkCheck(seed, w1, w2)) return { kind: 'tag', writeId: w1, chunkIndex: w2 };
  return { kind: 'unknown' };
}
