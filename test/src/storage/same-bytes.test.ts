import { describe, expect, it } from 'vitest';
import { sameBytes } from '../../../src/storage/same-bytes.js';

describe('sameBytes', () => {
  it('compares contents, not identity, and respects views', () => {
    const a = Uint8Array.from([1, 2, 3, 4]);
    expect(sameBytes(a, a)).toBe(true);
    expect(sameBytes(a, Uint8Array.from([1, 2, 3, 4]))).toBe(true);
    expect(sameBytes(a, Uint8Array.from([1, 2, 3, 5]))).toBe(false);
    expect(sameBytes(a, Uint8Array.from([1, 2, 3]))).toBe(false);
    expect(sameBytes(a.subarray(1, 3), Uint8Array.from([9, 2, 3, 9]).subarray(1, 3))).toBe(true);
    expect(sameBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
