/**
 * CandidateBytes: the bytes of sector values, materialized once and kept as 32-bit words, so the
 * durability judge compares a sector read back with each candidate in 128 word compares. The
 * cache is bounded; it is cleared whole when full (entries are cheap to rebuild).
 */
import { CHUNK_MAGIC, CHUNKS_PER_SECTOR, chunkCheck, SECTOR_SIZE_BYTES } from './content-tag.js';
import { materializeValue, ZERO_VALUE, type SectorValue } from './sector-value.js';

if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) throw new Error('crashcow compares content as little-endian words: this platform is big-endian');

/** Cached sectors at most (512 B each): 32 MiB. */
const CACHE_ENTRIES_MAX = 1 << 16;

const WORDS_PER_SECTOR = SECTOR_SIZE_BYTES / 4;

export class CandidateBytes {
  private readonly cache = new Map<string, Int32Array>();

  constructor(readonly seed: number) {}

  /** The words of `value` at guest sector `sectorIndex`. */
  wordsOf(sectorIndex: number, value: SectorValue): Int32Array {
    const key = `${sectorIndex}|${value}`;
    let words = this.cache.get(key);
    if (!words) {
      if (this.cache.size >= CACHE_ENTRIES_MAX) this.cache.clear();
      const bytes = new Uint8Array(SECTOR_SIZE_BYTES);
      materializeValue(value, sectorIndex, this.seed, bytes);
      words = new Int32Array(bytes.buffer);
      this.cache.set(key, words);
    }
    return words;
  }

  /**
   * The candidate that the sector at word index `at` of `words` holds, or null.
   * @param words the read buffer as 32-bit words (sector-aligned)
   */
  match(words: Int32Array, at: number, sectorIndex: number, cands: readonly SectorValue[]): SectorValue | null {
    for (const c of cands) {
      if (c === ZERO_VALUE) {
        if (allZero(words, at)) return c;
        continue;
      }
      const writeId = wholeWriteIdOf(c);
      if (writeId >= 0) {
        if (this.holdsWrite(words, at, sectorIndex, writeId)) return c;
        continue;
      }
      const expected = this.wordsOf(sectorIndex, c);
      let i = 0;
      while (i < WORDS_PER_SECTOR && words[at + i] === expected[i]) i++;
      if (i === WORDS_PER_SECTOR) return c;
    }
    return null;
  }

  /** True when the sector holds write `writeId`'s content for its position, chunk by chunk. */
  private holdsWrite(words: Int32Array, at: number, sectorIndex: number, writeId: number): boolean {
    const first = sectorIndex * CHUNKS_PER_SECTOR;
    const magic = CHUNK_MAGIC | 0;
    const id = writeId | 0;
    for (let c = 0; c < CHUNKS_PER_SECTOR; c++) {
      const w = at + c * 4;
      if (words[w] !== magic || words[w + 1] !== id || words[w + 2] !== ((first + c) | 0)) return false;
      if (words[w + 3] !== (chunkCheck(this.seed, writeId, first + c) | 0)) return false;
    }
    return true;
  }
}

function allZero(words: Int32Array, at: number): boolean {
  for (let i = at; i < at + WORDS_PER_SECTOR; i++) if (words[i] !== 0) return false;
  return true;
}

/** The write id of a whole-sector value ("17"), or -1 for zeros and pieced values. */
function wholeWriteIdOf(value: SectorValue): number {
  const code = value.charCodeAt(0);
  if (code < 48 || code > 57 || value.includes(':')) return -1;
  return Number(value);
}

const shared = new Map<number, CandidateBytes>();

/** The shared cache of a content seed (one per seed; a few seeds live at once). */
export function candidateBytesFor(seed: number): CandidateBytes {
  let c = shared.get(seed);
  if (!c) {
    if (shared.size >= 8) shared.clear();
    shared.set(seed, (c = new CandidateBytes(seed)));
  }
  return c;
}
