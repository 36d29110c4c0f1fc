/**
 * CandidateBytes: the bytes of sector values, materialized once and kept as 32-bit words, so the
 * durability judge compares a sector read back with each candidate in 128 word compares. The
 * cache is bounded; it is cleared whole when full (entries are cheap to rebuild).
 */
import { SECTOR_SIZE_BYTES } from './content-tag.js';
import { materializeValue, type SectorValue } from './sector-value.js';

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
      const expected = this.wordsOf(sectorIndex, c);
      let i = 0;
      while (i < WORDS_PER_SECTOR && words[at + i] === expected[i]) i++;
      if (i === WORDS_PER_SECTOR) return c;
    }
    return null;
  }
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
