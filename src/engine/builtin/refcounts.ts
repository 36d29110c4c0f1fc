/**
 * Refcounts (RC-1..RC-8): reading one cluster's refcount and changing the refcounts of a host byte
 * range. Decreases declare ORD-2 (the refcount block may reach disk only after the L2 tables that
 * dropped the reference); a cluster reaching 0 leaves the table caches and is held back from the
 * allocator until that unlink is durable (MUT-15).
 */
import { clusterIndexToOffset, clusterIndexToRefblockIndex, clusterIndexToReftableIndex, offsetToClusterIndex } from '../../../spec/format/geometry.js';
import { getRefcount as getRefcountEntry, setRefcount as setRefcountEntry } from '../../../spec/format/refcount-block.js';
import { EngineError } from '../engine-error.js';
import type { Qcow2State } from './state.js';

/** Refcount of host cluster `clusterIndex`; 0 where no refcount block covers it (RC-1, RC-3). */
export function getRefcount(s: Qcow2State, clusterIndex: number): number {
  const ri = clusterIndexToReftableIndex(s.g, clusterIndex);
  if (ri >= s.reftable.blockOffsets.length) return 0;
  const blockOffset = s.reftable.blockOffsets[ri];
  if (blockOffset === 0) return 0;
  return getRefcountEntry(s.refblockCache.get(blockOffset), clusterIndexToRefblockIndex(s.g, clusterIndex), s.g.refcountOrder);
}

/**
 * Adds `addend` to the refcount of every cluster overlapping [offsetBytes, offsetBytes+lengthBytes).
 * Every refcount block involved must exist (allocation makes sure of it). Checked before anything
 * changes: throws EngineError EINVAL on overflow (RC-8) and EIO on a decrease below 0 or a missing
 * refcount block (the image's refcounts are wrong).
 */
export function updateRefcount(s: Qcow2State, offsetBytes: number, lengthBytes: number, addend: number): void {
  if (lengthBytes <= 0 || addend === 0) return;
  const first = offsetToClusterIndex(s.g, offsetBytes);
  const last = offsetToClusterIndex(s.g, offsetBytes + lengthBytes - 1);
  for (let c = first; c <= last; c++) checkUpdate(s, c, addend);
  const decrease = addend < 0;
  // ORD-2: the L2 unlink reaches disk (written and flushed) before this refcount decrease.
  if (decrease && !s.mut['decref-before-unlink']) s.refblockCache.setDependency(s.l2Cache);
  for (let c = first; c <= last; c++) applyUpdate(s, c, addend);
  // MUT-2 decref-before-unlink: the decrease is written out at once, ahead of the unlink.
  if (decrease && s.mut['decref-before-unlink']) s.refblockCache.flush();
}

function checkUpdate(s: Qcow2State, clusterIndex: number, addend: number): void {
  const ri = clusterIndexToReftableIndex(s.g, clusterIndex);
  if (ri >= s.reftable.blockOffsets.length || s.reftable.blockOffsets[ri] === 0) {
    throw new EngineError('EIO', `refcount block for cluster ${clusterIndex} is missing`);
  }
  const next = getRefcount(s, clusterIndex) + addend;
  if (next > s.g.refcountMax) throw new EngineError('EINVAL', `refcount overflow at cluster ${clusterIndex} (max ${s.g.refcountMax}, RC-8)`);
  if (next < 0) throw new EngineError('EIO', `refcount of cluster ${clusterIndex} would drop below 0`);
}

function applyUpdate(s: Qcow2State, clusterIndex: number, addend: number): void {
  const blockOffset = s.reftable.blockOffsets[clusterIndexToReftableIndex(s.g, clusterIndex)];
  const block = s.refblockCache.get(blockOffset);
  const index = clusterIndexToRefblockIndex(s.g, clusterIndex);
  const next = getRefcountEntry(block, index, s.g.refcountOrder) + addend;
  setRefcountEntry(block, index, s.g.refcountOrder, next);
  s.refblockCache.markDirty(blockOffset);
  if (next === 0) clusterFreed(s, clusterIndex);
}

function clusterFreed(s: Qcow2State, clusterIndex: number): void {
  const offsetBytes = clusterIndexToOffset(s.g, clusterIndex);
  s.l2Cache.discard(offsetBytes);
  s.refblockCache.discard(offsetBytes);
  s.decompressed = undefined;
  if (offsetToClusterIndex(s.g, s.alloc.freeByteOffsetBytes) === clusterIndex) s.alloc.freeByteOffsetBytes = 0;
  // MUT-15 reuse-before-unlink-durable: the freed cluster is allocatable at once.
  if (s.mut['reuse-before-unlink-durable']) s.alloc.freeClusterHint = Math.min(s.alloc.freeClusterHint, clusterIndex);
  else s.alloc.quarantine.add(clusterIndex);
}

/**
 * Releases the quarantine: call once every L2 table and L1 entry that dropped a reference is on
 * disk and flushed, so the freed clusters may be reused.
 */
export function releaseQuarantine(s: Qcow2State): void {
  for (const c of s.alloc.quarantine) s.alloc.freeClusterHint = Math.min(s.alloc.freeClusterHint, c);
  s.alloc.quarantine.clear();
}
