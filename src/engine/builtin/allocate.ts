/**
 * Cluster allocation (qcow2_alloc_clusters): find a run of free clusters, make sure refcount blocks
 * cover it (allocating self-describing blocks or growing the reftable, then searching again, since
 * that metadata may have taken the run), and raise the refcounts to 1. Free means refcount 0 and not
 * held back by the quarantine. Cluster 0 always holds the header (AL-3).
 */
import { clusterCountToSize, clusterIndexToOffset, clusterIndexToReftableIndex } from '../../../spec/format/geometry.js';
import { allocRefblock } from './refblock-alloc.js';
import { getRefcount, updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** True when cluster `clusterIndex` may be handed out. */
function isClusterFree(s: Qcow2State, clusterIndex: number): boolean {
  return clusterIndex > 0 && !s.alloc.quarantine.has(clusterIndex) && getRefcount(s, clusterIndex) === 0;
}

/**
 * Index of the first cluster of the lowest run of `count` free clusters at or above the hint.
 * Changes no refcount; moves the hint past clusters found in use, and `noteAllocated` moves it
 * past the run once it is taken.
 */
export function findFreeClusters(s: Qcow2State, count: number): number {
  let runStart = Math.max(1, s.alloc.freeClusterHint);
  let firstFree = -1;
  for (let c = runStart; ; c++) {
    if (!isClusterFree(s, c)) {
      runStart = c + 1;
      continue;
    }
    if (firstFree < 0) firstFree = c;
    if (c - runStart + 1 === count) break;
  }
  s.alloc.freeClusterHint = Math.max(s.alloc.freeClusterHint, firstFree);
  return runStart;
}

/**
 * Records clusters [firstIndex, firstIndex+count) as taken: moves the high-water mark and, when the
 * run started at the hint, the hint past it.
 */
export function noteAllocated(s: Qcow2State, firstIndex: number, count: number): void {
  s.alloc.endClusterIndex = Math.max(s.alloc.endClusterIndex, firstIndex + count);
  if (s.alloc.freeClusterHint >= firstIndex && s.alloc.freeClusterHint < firstIndex + count) s.alloc.freeClusterHint = firstIndex + count;
}

/**
 * Allocates `count` contiguous clusters with refcount 1 and returns the first one's offset in bytes.
 * The refcount change is only in the refcount block cache; callers declare when it must be on disk.
 */
export function allocClusters(s: Qcow2State, count: number): number {
  for (;;) {
    const first = findFreeClusters(s, count);
    if (ensureRefblocks(s, first, count)) continue;
    updateRefcount(s, clusterIndexToOffset(s.g, first), clusterCountToSize(s.g, count), 1);
    noteAllocated(s, first, count);
    return clusterIndexToOffset(s.g, first);
  }
}

/** Allocates the first missing refcount block for the run; true when it did (search again). */
function ensureRefblocks(s: Qcow2State, first: number, count: number): boolean {
  const last = clusterIndexToReftableIndex(s.g, first + count - 1);
  for (let ri = clusterIndexToReftableIndex(s.g, first); ri <= last; ri++) {
    if (ri >= s.reftable.blockOffsets.length || s.reftable.blockOffsets[ri] === 0) {
      allocRefblock(s, ri);
      return true;
    }
  }
  return false;
}
