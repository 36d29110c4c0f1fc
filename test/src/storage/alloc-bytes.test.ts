import { describe, expect, it } from 'vitest';
import { allocBytes } from '../../../src/storage/alloc-bytes.js';

describe('allocBytes', () => {
  it('hands out zeroed arrays of the length asked, never overlapping while held', () => {
    // Arrange / Act
    const held = [3, 8, 100, 8192, 8193, 4096, 1].map((n) => allocBytes(n));
    held.forEach((a, i) => a.fill(i + 1));
    // Assert
    expect(held.map((a) => a.length)).toEqual([3, 8, 100, 8192, 8193, 4096, 1]);
    held.forEach((a, i) => expect(a.every((b) => b === i + 1), `array ${i}`).toBe(true));
    expect(allocBytes(64).every((b) => b === 0)).toBe(true);
  });

  it('starts a new slab when one is used up, leaving earlier arrays intact', () => {
    const first = allocBytes(16).fill(0xee);
    for (let i = 0; i < 100; i++) allocBytes(8192).fill(1);
    expect(first.every((b) => b === 0xee)).toBe(true);
  });
});
