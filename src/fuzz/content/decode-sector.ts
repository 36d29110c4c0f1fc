/**
 * Reading a guest sector back: its value key when every 16-byte chunk is zeros or a tag written
 * for exactly this position (fast path of the durability judge), and otherwise a description of
 * where its bytes came from, for the smallest witness of a violation.
 */
import { CHUNK_MAGIC, CHUNK_SIZE_BYTES, CHUNKS_PER_SECTOR, chunkCheck, decodeChunk } from './content-tag.js';
import { valueOfPieces, ZERO_SOURCE, type SectorValue, type ValuePiece } from './sector-value.js';

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * The value key of the sector at `at` in `bytes` (guest sector `sectorIndex`), or null when a chunk
 * is neither zeros nor this seed's tag for its own position (a cut chunk, foreign or unknown bytes).
 */
export function decodeSectorValue(bytes: Uint8Array, at: number, sectorIndex: number, seed: number): SectorValue | null {
  const firstChunk = sectorIndex * CHUNKS_PER_SECTOR;
  const pieces: ValuePiece[] = [];
  for (let c = 0; c < CHUNKS_PER_SECTOR; c++) {
    const p = at + c * CHUNK_SIZE_BYTES;
    const w0 = u32le(bytes, p);
    const w1 = u32le(bytes, p + 4);
    const w2 = u32le(bytes, p + 8);
    const w3 = u32le(bytes, p + 12);
    let source: number;
    if ((w0 | w1 | w2 | w3) === 0) source = ZERO_SOURCE;
    else if (w0 === CHUNK_MAGIC && w2 === firstChunk + c && w3 === chunkCheck(seed, w1, w2)) source = w1;
    else return null;
    const from = c * CHUNK_SIZE_BYTES;
    const last = pieces[pieces.length - 1];
    if (last && last.source === source) last.toBytes = from + CHUNK_SIZE_BYTES;
    else pieces.push({ fromBytes: from, toBytes: from + CHUNK_SIZE_BYTES, source });
  }
  return valueOfPieces(pieces);
}

/**
 * Where the bytes of a sector came from, as runs of chunks: "write #7", "zeros", "write #3's bytes
 * for guest offset 0x1200 (stale bytes from another place)", "unknown bytes (nobody wrote them)".
 */
export function describeSectorOrigin(bytes: Uint8Array, at: number, sectorIndex: number, seed: number): string {
  const runs: Array<{ key: string; text: string; fromBytes: number; toBytes: number }> = [];
  for (let c = 0; c < CHUNKS_PER_SECTOR; c++) {
    const o = decodeChunk(bytes, at + c * CHUNK_SIZE_BYTES, seed);
    const expectedChunk = sectorIndex * CHUNKS_PER_SECTOR + c;
    let key: string;
    let text: string;
    if (o.kind !== 'tag') {
      key = o.kind;
      text = o.kind === 'zero' ? 'zeros' : 'unknown bytes (nobody wrote them)';
    } else if (o.chunkIndex === expectedChunk) {
      key = `${o.writeId}@0`;
      text = `write #${o.writeId}`;
    } else {
      key = `${o.writeId}@${o.chunkIndex - expectedChunk}`;
      text = `write #${o.writeId}'s bytes for guest offset 0x${(o.chunkIndex * CHUNK_SIZE_BYTES).toString(16)} (stale bytes from another place)`;
    }
    const from = c * CHUNK_SIZE_BYTES;
    const last = runs[runs.length - 1];
    if (last && last.key === key) last.toBytes = from + CHUNK_SIZE_BYTES;
    else runs.push({ key, text, fromBytes: from, toBytes: from + CHUNK_SIZE_BYTES });
  }
  if (runs.length === 1) return runs[0].text;
  return runs.map((r) => `${r.text} in ${r.fromBytes}-${r.toBytes}`).join(', ');
}
