import { describe, expect, it } from 'vitest';
import { ClusterAllocator } from '../../../src/repair/cluster-allocator.js';

describe('ClusterAllocator', () => {
  it('hands out clusters from the end of the file on, in order', () => {
    const a = new ClusterAllocator(10, new Set());
    expect(a.allocRun(1)).toBe(10);
    expect(a.allocRun(3)).toBe(11);
    expect(a.endIndex).toBe(14);
    expect(a.allocated).toEqual([10, 11, 12, 13]);
  });

  it('never hands out a cluster an old reference points to (MUT-16), and keeps runs contiguous', () => {
    const a = new ClusterAllocator(10, new Set([10, 13]));
    expect(a.allocRun(1)).toBe(11);
    expect(a.allocRun(2)).toBe(14);
    expect(a.allocated).not.toContain(10);
    expect(a.allocated).not.toContain(13);
  });

  it('finds the clusters to avoid only at its first allocation, once', () => {
    let walks = 0;
    const a = new ClusterAllocator(10, () => {
      walks++;
      return new Set([10]);
    });
    expect(walks).toBe(0);
    expect(a.allocRun(1)).toBe(11);
    expect(a.allocRun(1)).toBe(12);
    expect(walks).toBe(1);
  });

  it('refuses to allocate nothing (a caller bug)', () => {
    expect(() => new ClusterAllocator(1, new Set()).allocRun(0)).toThrow(/assertion/);
  });
});
