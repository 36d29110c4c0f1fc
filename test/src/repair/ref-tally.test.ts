import { describe, expect, it } from 'vitest';
import { RefTally } from '../../../src/repair/ref-tally.js';

describe('RefTally', () => {
  it('counts references per cluster and grows past its first size', () => {
    const t = new RefTally(4);
    t.addCluster(2);
    t.addCluster(2);
    t.addCluster(100, 3);
    expect([t.countOf(2), t.countOf(3), t.countOf(100), t.countOf(5000)]).toEqual([2, 0, 3, 0]);
    expect(t.clusterEnd).toBe(101);
  });

  it('keeps exact counts above 254 (one byte saturates, the overflow map holds the rest)', () => {
    const t = new RefTally(2);
    t.addCluster(1, 254);
    t.addCluster(1);
    t.addCluster(1, 1000);
    expect(t.countOf(1)).toBe(1255);
  });

  it('adds one reference to every cluster a byte range touches', () => {
    const t = new RefTally(8);
    t.addRange(0x1f00, 0x300, 0x1000);
    expect([t.countOf(0), t.countOf(1), t.countOf(2), t.countOf(3)]).toEqual([0, 1, 1, 0]);
  });

  it('clones independently', () => {
    const t = new RefTally(2);
    t.addCluster(0, 300);
    const c = t.clone();
    c.addCluster(0);
    c.addCluster(9);
    expect([t.countOf(0), c.countOf(0), t.countOf(9), c.countOf(9)]).toEqual([300, 301, 0, 1]);
  });
});
