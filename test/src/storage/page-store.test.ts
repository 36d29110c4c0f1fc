import { describe, expect, it } from 'vitest';
import { PageStore } from '../../../src/storage/page-store.js';

const PAGE = 16;

/** A lower layer whose byte at offset i is 0x80 | (i & 0x7f). */
function lower(offsetBytes: number, target: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = 0x80 | ((offsetBytes + i) & 0x7f);
}

function read(store: PageStore, offsetBytes: number, lengthBytes: number): number[] {
  const out = new Uint8Array(lengthBytes);
  store.readInto(offsetBytes, out);
  return [...out];
}

describe('PageStore', () => {
  it('reads the lower layer where nothing was written, and the written bytes across page boundaries', () => {
    // Arrange
    const store = new PageStore(PAGE, lower);
    // Act
    store.write(PAGE - 2, Uint8Array.of(1, 2, 3, 4));
    // Assert
    expect(read(store, PAGE - 4, 8)).toEqual([0x80 | (PAGE - 4), 0x80 | (PAGE - 3), 1, 2, 3, 4, 0x80 | (PAGE + 2), 0x80 | (PAGE + 3)]);
    expect(store.pageCount).toBe(2);
  });

  it('reads zeros without a lower layer, and forgets whole zeroed pages there (a hole)', () => {
    const store = new PageStore(PAGE);
    store.write(0, new Uint8Array(3 * PAGE).fill(9));
    store.zero(PAGE - 1, PAGE + 2);
    expect(read(store, PAGE - 2, PAGE + 4)).toEqual([9, ...new Array(PAGE + 2).fill(0), 9]);
    expect(store.pageCount).toBe(2);
  });

  it('zeroes whole pages over a lower layer with one shared zero page', () => {
    const store = new PageStore(PAGE, lower);
    store.zero(0, 2 * PAGE);
    expect(read(store, 0, 2 * PAGE).every((b) => b === 0)).toBe(true);
    store.write(3, Uint8Array.of(5));
    expect(read(store, 0, PAGE)).toEqual([0, 0, 0, 5, ...new Array(PAGE - 4).fill(0)]);
    expect(read(store, PAGE, PAGE).every((b) => b === 0)).toBe(true);
  });

  it('cuts the tail: zeros the rest of the partial page and lets whole pages past it read the lower layer', () => {
    const store = new PageStore(PAGE, lower);
    store.write(0, new Uint8Array(3 * PAGE).fill(7));
    store.cutTail(PAGE + 4, 3 * PAGE);
    expect(read(store, PAGE + 2, 4)).toEqual([7, 7, 0, 0]);
    expect(read(store, 2 * PAGE, 2)).toEqual([0x80 | ((2 * PAGE) & 0x7f), 0x80 | ((2 * PAGE + 1) & 0x7f)]);
  });

  it('forks: each side copies a shared page before changing it', () => {
    const a = new PageStore(PAGE);
    a.write(0, new Uint8Array(PAGE).fill(1));
    const b = a.fork();
    b.write(0, Uint8Array.of(2));
    a.write(1, Uint8Array.of(3));
    expect(read(a, 0, 3)).toEqual([1, 3, 1]);
    expect(read(b, 0, 3)).toEqual([2, 1, 1]);
  });

  it('refuses a page size that is not a power of two', () => {
    expect(() => new PageStore(24)).toThrow(RangeError);
    expect(() => new PageStore(0)).toThrow(RangeError);
  });
});
