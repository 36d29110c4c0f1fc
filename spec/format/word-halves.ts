/**
 * The two 32-bit halves of a 64-bit table entry held as a bigint: the inverse of halvesToWord
 * (table-view.ts), for code that gets an entry from a bigint encoder and stores it by halves.
 */

/** Bits 32..63 of `word` (a value below 2^64). */
export function wordHighHalf(word: bigint): number {
  return Number(BigInt.asUintN(64, word) >> 32n);
}

/** Bits 0..31 of `word`. */
export function wordLowHalf(word: bigint): number {
  return Number(BigInt.asUintN(32, word));
}
