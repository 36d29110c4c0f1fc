/**
 * Refcount geometry from the table's side (RC-3): how many refcount blocks cover a number of host
 * clusters, and the first host cluster a refcount block describes. The inverses of
 * clusterIndexToReftableIndex and clusterIndexToRefblockIndex in geometry.ts.
 */
import type { Geometry } from './geometry.js';

/** Refcount blocks needed to hold the refcounts of host clusters 0..clusterCount-1. */
export function clusterCountToRefblockCount(g: Geometry, clusterCount: number): number {
  return Math.ceil(clusterCount / g.refblockEntryCount);
}

/** Host cluster index whose refcount is entry `refblockIndex` of the block at reftable index `reftableIndex`. */
export function refcountIndexToClusterIndex(g: Geometry, reftableIndex: number, refblockIndex: number): number {
  return reftableIndex * g.refblockEntryCount + refblockIndex;
}
