import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { halvesToWord } from '../../../spec/format/table-view.js';
import { wordHighHalf, wordLowHalf } from '../../../spec/format/word-halves.js';

describe('a bigint word as halves', () => {
  it('is the inverse of halvesToWord, bit 63 and bit 0 included', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (word) => {
        const hi = wordHighHalf(word);
        const lo = wordLowHalf(word);
        expect(halvesToWord(hi, lo)).toBe(word);
        expect(hi >= 0 && hi <= 0xffffffff && lo >= 0 && lo <= 0xffffffff).toBe(true);
      }),
    );
    expect([wordHighHalf(0x8000000000000001n), wordLowHalf(0x8000000000000001n)]).toEqual([0x80000000, 1]);
  });
});
