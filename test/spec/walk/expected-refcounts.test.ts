import { describe, expect, it } from 'vitest';
import { ExpectedRefcounts } from '../../../spec/walk/expected-refcounts.js';
import { ADD_BEYOND_EOF, ADD_OK } from '../../../spec/walk/reference-source.js';

const CLUSTER_BITS = 12;

describe('ExpectedRefcounts', () => {
  it('refuses references past the end of the file and caps at the refcount width', () => {
    const c = new ExpectedRefcounts(4, 4 << CLUSTER_BITS, CLUSTER_BITS, 1);
    expect(c.addCluster(4)).toBe(ADD_BEYOND_EOF);
    expect(c.add(8 << CLUSTER_BITS, 1)).toBe(ADD_BEYOND_EOF);
    expect([c.addCluster(1), c.addCluster(1)]).toEqual([ADD_OK, 1]);
    expect(c.countOf(1)).toBe(1);
  });

  describe('incremental judging: resized, shifted, covered', () => {
    it('a resized copy keeps the counts, covers the larger file and leaves the original alone', () => {
      const c = new ExpectedRefcounts(4, 4 << CLUSTER_BITS, CLUSTER_BITS, 65535);
      c.addCluster(1);
      const big = c.resizedCopy(10, 10 << CLUSTER_BITS);
      big.addCluster(8);
      expect([big.countOf(1), big.countOf(8), big.clusterCount, c.countOf(8), c.clusterCount]).toEqual([1, 1, 10, 0, 4]);
      expect(() => c.resizedCopy(3, 3 << CLUSTER_BITS)).toThrow(/assertion/);
    });

    it('shift moves an exact count through the saturated byte and refuses to go below zero', () => {
      const c = new ExpectedRefcounts(4, 4 << CLUSTER_BITS, CLUSTER_BITS, 2 ** 40);
      expect(c.shift(2, 300)).toBe(300);
      expect(c.shift(2, -100)).toBe(200);
      expect(c.countOf(2)).toBe(200);
      expect(() => c.shift(3, -1)).toThrow(/below zero/);
    });

    it('cover extends the clusters compared up to the spare one past the file', () => {
      const c = new ExpectedRefcounts(4, 4 << CLUSTER_BITS, CLUSTER_BITS, 1);
      c.cover(5);
      expect(c.clusterCount).toBe(5);
      expect(() => c.cover(6)).toThrow(/assertion/);
    });
  });

  describe('growing (a repair plan tally)', () => {
    it('accepts clusters past its first size, grows and reports one past the highest as clusterCount', () => {
      const t = ExpectedRefcounts.growing(CLUSTER_BITS, 4);
      t.addCluster(2);
      t.addCluster(2);
      for (let i = 0; i < 3; i++) expect(t.addCluster(100)).toBe(ADD_OK);
      expect([t.countOf(2), t.countOf(3), t.countOf(100), t.countOf(5000)]).toEqual([2, 0, 3, 0]);
      expect(t.clusterCount).toBe(101);
      expect(ExpectedRefcounts.growing(CLUSTER_BITS, 4).clusterCount).toBe(4);
    });

    it('keeps exact counts above 254 (one byte saturates, the overflow map holds the rest)', () => {
      const t = ExpectedRefcounts.growing(CLUSTER_BITS, 2);
      for (let i = 0; i < 1255; i++) t.addCluster(1);
      expect(t.countOf(1)).toBe(1255);
    });

    it('adds one reference to every cluster a byte range touches, past the end too', () => {
      const t = ExpectedRefcounts.growing(CLUSTER_BITS, 0);
      expect(t.add(0x1f00, 0x300)).toBe(ADD_OK);
      expect(t.add(0x40_0000, 0x2000)).toBe(ADD_OK);
      expect([t.countOf(0), t.countOf(1), t.countOf(2), t.countOf(3), t.countOf(0x400), t.countOf(0x401)]).toEqual([0, 1, 1, 0, 1, 1]);
      expect(t.clusterCount).toBe(0x402);
    });

    it('clones independently, overflow counts included', () => {
      const t = ExpectedRefcounts.growing(CLUSTER_BITS, 2);
      for (let i = 0; i < 300; i++) t.addCluster(0);
      const c = t.clone();
      c.addCluster(0);
      c.addCluster(9);
      expect([t.countOf(0), c.countOf(0), t.countOf(9), c.countOf(9), t.clusterCount, c.clusterCount]).toEqual([300, 301, 0, 1, 2, 10]);
    });
  });
});
