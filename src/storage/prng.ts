/**
 * Prng: a small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32), so one
 * seed reproduces every random choice of a run. Never use Math.random or the clock for decisions.
 *
 * Not cryptographic. Period 2^128 - 1; all outputs are 32-bit unsigned integers underneath.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed any 32-bit integer (other numbers are reduced modulo 2^32); `stream` derives an
   *   independent generator from the same seed, e.g. one per crash point
   */
  constructor(seed: number, stream = 0) {
    let x = (Math.trunc(seed) ^ Math.imul(Math.trunc(stream) | 0, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return splitmix32(x);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /**
   * An integer in [0, maxExclusive), unbiased (rejection sampling).
   * @throws RangeError when maxExclusive is not an integer in 1..2^32
   */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 4294967296) throw new RangeError(`int(${maxExclusive})`);
    const limit = 4294967296 - (4294967296 % maxExclusive);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % maxExclusive;
    }
  }

  /** True with probability `p` (0..1). */
  chance(p: number): boolean {
    return this.nextFloat() < p;
  }

  /** One element of a non-empty array, uniformly. @throws RangeError on an empty array */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((s, w) => s + w, 0);
    let x = this.nextFloat() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** splitmix32 finalizer: a well-mixed 32-bit value from any 32-bit input. */
export function splitmix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
