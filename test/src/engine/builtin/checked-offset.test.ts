import { describe, expect, it } from 'vitest';
import { isFormatError } from '../../../../spec/format/format-error.js';
import { checkedOffset } from '../../../../src/engine/builtin/checked-offset.js';

/** The FormatError `run` throws (fails the test when it throws nothing or something else). */
function formatErrorOf(run: () => unknown): { rule: string; where: string } {
  try {
    run();
  } catch (err) {
    if (isFormatError(err)) return err;
    throw err;
  }
  throw new Error('no FormatError');
}

describe('checkedOffset', () => {
  it('returns an aligned offset whose end stays below 2^53, without asking where it is', () => {
    let asked = 0;
    expect(checkedOffset(2 ** 52, 65536, 65536, 'L2-3', () => `#${++asked}`)).toBe(2 ** 52);
    expect(asked).toBe(0);
  });

  it('names the rule and the place of a misaligned offset', () => {
    const err = formatErrorOf(() => checkedOffset(65536 + 512, 0, 65536, 'L1-2', () => 'L1[3] @0x30018'));
    expect(err.rule).toBe('L1-2');
    expect(err.where).toBe('L1[3] @0x30018');
  });

  it('gives CRASHCOW-OFFSET when the offset and length pass 2^53, aligned or not', () => {
    expect(formatErrorOf(() => checkedOffset(2 ** 53 - 65536, 2 * 65536, 65536, 'L2-3', () => 'x')).rule).toBe('CRASHCOW-OFFSET');
    expect(formatErrorOf(() => checkedOffset(2 ** 54 + 512, 0, 65536, 'L2-3', () => 'x')).rule).toBe('CRASHCOW-OFFSET');
  });
});
