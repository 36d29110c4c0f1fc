/**
 * Reading a guest sector back: a description of where its bytes came from, chunk by chunk, for
 * the smallest witness of a violation.
 */
import { CHUNK_SIZE_BYTES, CHUNKS_PER_SECTOR, decodeChunk } from './content-tag.js';

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
