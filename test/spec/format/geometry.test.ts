import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clusterCountToSize,
  clusterIndexToOffset,
  clusterIndexToRefblockIndex,
  clusterIndexToReftableIndex,
  geometryFromHeader,
  guestOffsetToL1Index,
  guestOffsetToL2Index,
  guestOffsetToSubclusterIndex,
  isClusterAligned,
  offsetIntoCluster,
  offsetToClusterIndex,
  offsetToClusterStart,
  sizeToClusterCount,
  sizeToL1EntryCount,
  type Geometry,
} from '../../../spec/format/geometry.js';
import { incompatibleBits } from '../../../spec/format/feature-bits.js';
import type { Header } from '../../../spec/format/header.js';

function geometry(clusterBits: number, refcountOrder: number, extendedL2: boolean): Geometry {
  const header: Header = {
    version: 3,
    backingFileOffset: 0n,
    backingFileNameBytes: 0,
    clusterBits,
    sizeBytes: 1n << 40n,
    cryptMethod: 0,
    l1EntryCount: 0,
    l1TableOffset: 0n,
    refcountTableOffset: 0n,
    refcountTableClusters: 1,
    snapshotCount: 0,
    snapshotsOffset: 0n,
    incompatibleFeatures: extendedL2 ? incompatibleBits.extendedL2 : 0n,
    compatibleFeatures: 0n,
    autoclearFeatures: 0n,
    refcountOrder,
    headerLengthBytes: 112,
    compressionType: 0,
    additionalFields: new Uint8Array(7),
  };
  return geometryFromHeader(header);
}

const geometries = fc
  .record({ clusterBits: fc.integer({ min: 9, max: 21 }), refcountOrder: fc.integer({ min: 0, max: 6 }), extendedL2: fc.boolean() })
  .filter((r) => !r.extendedL2 || r.clusterBits >= 14)
  .map((r) => geometry(r.clusterBits, r.refcountOrder, r.extendedL2));
/** Offsets up to 2^53 - 1: every offset crashcow addresses exactly. */
const offsets = fc.oneof(fc.integer({ min: 0, max: 1 << 30 }), fc.maxSafeNat());

describe('geometry from-to helpers', () => {
  it('an offset is its cluster start plus its offset into the cluster, and the cluster start is the cluster index times the size', () => {
    fc.assert(
      fc.property(geometries, offsets, (g, offsetBytes) => {
        const k = offsetToClusterIndex(g, offsetBytes);
        expect(clusterIndexToOffset(g, k)).toBe(offsetToClusterStart(g, offsetBytes));
        expect(offsetToClusterStart(g, offsetBytes) + offsetIntoCluster(g, offsetBytes)).toBe(offsetBytes);
        expect(offsetIntoCluster(g, offsetBytes)).toBeLessThan(g.clusterSizeBytes);
        expect(offsetToClusterIndex(g, clusterIndexToOffset(g, k))).toBe(k);
        expect(isClusterAligned(g, offsetBytes)).toBe(offsetIntoCluster(g, offsetBytes) === 0);
        expect(isClusterAligned(g, BigInt(offsetBytes))).toBe(offsetIntoCluster(g, offsetBytes) === 0);
        expect(isClusterAligned(g, clusterIndexToOffset(g, k))).toBe(true);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  it('cluster counts and sizes round up and back', () => {
    fc.assert(
      fc.property(geometries, fc.integer({ min: 0, max: 2 ** 40 }), (g, sizeBytes) => {
        const n = sizeToClusterCount(g, sizeBytes);
        expect(clusterCountToSize(g, n)).toBeGreaterThanOrEqual(sizeBytes);
        expect(clusterCountToSize(g, n) - sizeBytes).toBeLessThan(g.clusterSizeBytes);
        expect(sizeToClusterCount(g, clusterCountToSize(g, n))).toBe(n);
      }),
      { seed: 2, numRuns: 2000 },
    );
  });

  it('a guest offset is found again from its L1 index, L2 index, subcluster and offset in the cluster', () => {
    fc.assert(
      fc.property(geometries, offsets, (g, guestOffsetBytes) => {
        const l1Index = guestOffsetToL1Index(g, guestOffsetBytes);
        const l2Index = guestOffsetToL2Index(g, guestOffsetBytes);
        expect(l2Index).toBeLessThan(g.l2EntryCount);
        const clusterStart = l1Index * g.l2CoverageBytes + clusterIndexToOffset(g, l2Index);
        expect(clusterStart).toBe(offsetToClusterStart(g, guestOffsetBytes));
        const sc = guestOffsetToSubclusterIndex(g, guestOffsetBytes);
        expect(sc).toBeLessThan(g.extendedL2 ? 32 : 1);
        expect(clusterStart + sc * g.subclusterSizeBytes).toBeLessThanOrEqual(guestOffsetBytes);
        expect(guestOffsetBytes - clusterStart - sc * g.subclusterSizeBytes).toBeLessThan(g.subclusterSizeBytes);
        expect(sizeToL1EntryCount(g, guestOffsetBytes + 1)).toBe(l1Index + 1);
      }),
      { seed: 3, numRuns: 2000 },
    );
  });

  it('a cluster index is found again from its refcount table index and refcount block index (RC-3)', () => {
    fc.assert(
      fc.property(geometries, fc.integer({ min: 0, max: 2 ** 44 }), (g, clusterIndex) => {
        const ri = clusterIndexToReftableIndex(g, clusterIndex);
        const bi = clusterIndexToRefblockIndex(g, clusterIndex);
        expect(bi).toBeLessThan(g.refblockEntryCount);
        expect(ri * g.refblockEntryCount + bi).toBe(clusterIndex);
      }),
      { seed: 4, numRuns: 2000 },
    );
  });

  it('gives the values of a 64 KiB-cluster image with 16-bit refcounts', () => {
    const g = geometry(16, 4, false);
    expect(offsetToClusterIndex(g, 0x30000 + 5)).toBe(3);
    expect(offsetToClusterStart(g, 0x30005)).toBe(0x30000);
    expect(guestOffsetToL1Index(g, 512 * 1024 * 1024 + 0x10000)).toBe(1);
    expect(guestOffsetToL2Index(g, 512 * 1024 * 1024 + 0x10000)).toBe(1);
    expect(clusterIndexToReftableIndex(g, 32768 + 7)).toBe(1);
    expect(clusterIndexToRefblockIndex(g, 32768 + 7)).toBe(7);
    expect(sizeToClusterCount(g, 0x10001)).toBe(2);
    expect(isClusterAligned(g, 0x20000n)).toBe(true);
    expect(isClusterAligned(g, (1n << 60n) + 512n)).toBe(false);
  });
});
