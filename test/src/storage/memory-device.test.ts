import { describe, expect, it } from 'vitest';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

const TIB = 2 ** 40;

describe('MemoryDevice', () => {
  it('reads back what was written and zeros past the end', () => {
    const dev = new MemoryDevice(0, 4096);
    dev.write(4000, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).fill(7, 5));
    expect(dev.sizeBytes).toBe(4010);
    expect([...dev.read(3998, 16)]).toEqual([0, 0, 1, 2, 3, 4, 5, 7, 7, 7, 7, 7, 0, 0, 0, 0]);
  });

  it('costs nothing for a 1 TiB size until written, and one page per written page', () => {
    const dev = new MemoryDevice(TIB);
    expect(dev.pageCount).toBe(0);
    dev.write(TIB - 3, new Uint8Array([9, 9, 9]));
    expect(dev.pageCount).toBe(1);
    expect(dev.sizeBytes).toBe(TIB);
    expect([...dev.read(TIB - 4, 6)]).toEqual([0, 9, 9, 9, 0, 0]);
  });

  it('returns a fresh array: changing it changes nothing stored', () => {
    const dev = MemoryDevice.from(new Uint8Array(16).fill(5));
    dev.read(0, 16).fill(1);
    expect(dev.read(0, 1)[0]).toBe(5);
  });

  it('frees whole pages zeroed by writeZeroes and grows like a write', () => {
    const dev = MemoryDevice.from(new Uint8Array(3 * 4096).fill(1), 4096);
    dev.writeZeroes(100, 3 * 4096);
    expect(dev.pageCount).toBe(2);
    expect(dev.sizeBytes).toBe(3 * 4096 + 100);
    expect(dev.read(99, 2)).toEqual(new Uint8Array([1, 0]));
  });

  it('discards only below the size and never grows', () => {
    const dev = MemoryDevice.from(new Uint8Array(1000).fill(3));
    dev.discard(500, 10_000);
    expect(dev.sizeBytes).toBe(1000);
    expect([...dev.read(498, 4)]).toEqual([3, 3, 0, 0]);
  });

  it('a shrink loses the tail: growing again reads zeros', () => {
    const dev = MemoryDevice.from(new Uint8Array(10_000).fill(4), 4096);
    dev.truncate(5000);
    dev.truncate(10_000);
    expect(dev.read(4999, 2)).toEqual(new Uint8Array([4, 0]));
    expect(dev.read(9000, 8)).toEqual(new Uint8Array(8));
  });

  it('refuses negative or fractional ranges (caller bug)', () => {
    const dev = new MemoryDevice();
    expect(() => dev.read(-1, 1)).toThrow(RangeError);
    expect(() => dev.write(0.5, new Uint8Array(1))).toThrow(RangeError);
  });
});
