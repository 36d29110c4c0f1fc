import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterIndexToRefblockIndex, clusterIndexToReftableIndex, type Geometry } from '../../../spec/format/geometry.js';
import { clusterCountToRefblockCount, refcountIndexToClusterIndex } from '../../../spec/format/refcount-geometry.js';

/** Only the field these helpers read: 64 KiB clusters with 16-bit refcounts hold 32768 per block. */
const g = { refblockEntryCount: 32768 } as Geometry;

describe('refcount geometry from the table side', () => {
  it('inverts clusterIndexToReftableIndex / clusterIndexToRefblockIndex', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (k) => {
        expect(refcountIndexToClusterIndex(g, clusterIndexToReftableIndex(g, k), clusterIndexToRefblockIndex(g, k))).toBe(k);
      }),
    );
  });

  it('counts the blocks that cover a number of clusters, rounding up', () => {
    expect([0, 1, 32768, 32769, 65536].map((n) => clusterCountToRefblockCount(g, n))).toEqual([0, 1, 1, 2, 2]);
  });
});
