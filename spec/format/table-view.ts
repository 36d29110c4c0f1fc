/**
 * TableView: reads 64-bit big-endian table entries (L1, L2, refcount table, bitmap tables) as two
 * 32-bit halves, the fast path the style asks for: flags from the high word, offsets from
 * `hi & 0x00ffffff` and `lo & 0xfffffe00`. Never passes a whole entry through a JS number.
 */
export class TableView {
  private readonly view: DataView;
  /** Number of whole 8-byte words in the table. */
  readonly wordCount: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.wordCount = Math.floor(bytes.byteLength / 8);
  }

  /** High 32 bits (bits 32..63) of word `wordIndex`. */
  hi(wordIndex: number): number {
    return this.view.getUint32(wordIndex * 8, false);
  }

  /** Low 32 bits (bits 0..31) of word `wordIndex`. */
  lo(wordIndex: number): number {
    return this.view.getUint32(wordIndex * 8 + 4, false);
  }

  /** The whole word, exact (for reports, not hot paths). */
  word(wordIndex: number): bigint {
    return this.view.getBigUint64(wordIndex * 8, false);
  }

  setWord(wordIndex: number, value: bigint): void {
    this.view.setBigUint64(wordIndex * 8, value, false);
  }

  setHalves(wordIndex: number, hi: number, lo: number): void {
    this.view.setUint32(wordIndex * 8, hi >>> 0, false);
    this.view.setUint32(wordIndex * 8 + 4, lo >>> 0, false);
  }
}

/** hi * 2^32 + lo as a number (exact while hi < 2^21, i.e. values below 2^53). */
export function joinHalves(hi: number, lo: number): number {
  return hi * 4294967296 + (lo >>> 0);
}

/** Where joinHalvesClamped stops being exact: 2^53, past the end of every real file. */
export const CLAMPED_OFFSET_BYTES = 2 ** 53;

/**
 * hi * 2^32 + lo as a number, exact below 2^53; anything at or above (hi >= 2^21) is
 * CLAMPED_OFFSET_BYTES, so an offset from a hostile entry lies past every file instead of wrapping.
 */
export function joinHalvesClamped(hi: number, lo: number): number {
  return hi >= 0x200000 ? CLAMPED_OFFSET_BYTES : hi * 4294967296 + (lo >>> 0);
}

/** High 32 bits (bits 32..63) of a non-negative number below 2^53. */
export function highHalf(value: number): number {
  return Math.floor(value / 4294967296) >>> 0;
}

/** Low 32 bits (bits 0..31) of a non-negative number below 2^53. */
export function lowHalf(value: number): number {
  return value >>> 0;
}

/** The 64-bit word whose halves are `hi` and `lo` (for reports and bigint encoders). */
export function halvesToWord(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
