/**
 * Resizing (qcow2_co_truncate). Growing enlarges L1 (ORD-6) and then commits the size with one synced
 * header write; when the backing file is longer than the old size, the new area is zeroed so backing
 * data never shows through; before the size is committed, the rest of a partly cut last cluster is
 * zeroed (QEMU 7.2 does not, so its regrown tail shows the data from before a shrink). Shrinking
 * drops every whole cluster past the new end (a full discard), flushes those unlinks, unlinks the
 * L2 tables past it (L1 written synced, then refcounts), then commits the size.
 */
import { clusterIndexToOffset, sizeToClusterCount, sizeToL1EntryCount } from '../../../spec/format/geometry.js';
import { EngineError } from '../engine-error.js';
import { lookupCluster } from './cluster-lookup.js';
import { discardGuest, isAllocated } from './discard.js';
import { commitHeaderFields } from './header-update.js';
import { growL1, l1L2Offset, setL1Entry, writeL1Table } from './l1-table.js';
import { updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';
import { writeZeroBytes, zeroizeGuest } from './zeroize.js';
import { flushCaches } from './flush.js';

/**
 * Changes the virtual size to `newSizeBytes` (a multiple of 512). Throws EngineError EINVAL for an
 * unaligned size or a shrink without `shrink`, ENOTSUP for a v2 image with snapshots.
 */
export function resizeImage(s: Qcow2State, newSizeBytes: number, shrink: boolean): void {
  const oldSizeBytes = s.g.virtualSizeBytes;
  if (newSizeBytes % 512 !== 0) throw new EngineError('EINVAL', 'the new size must be a multiple of 512 bytes');
  if (s.header.version < 3 && s.snapshots.length > 0) throw new EngineError('ENOTSUP', "can't resize a v2 image which has snapshots");
  if (newSizeBytes < oldSizeBytes && !shrink) throw new EngineError('EINVAL', 'use the --shrink option to perform a shrink operation');
  if (newSizeBytes < oldSizeBytes) return shrinkTo(s, newSizeBytes);
  if (newSizeBytes > oldSizeBytes) zeroCutTail(s, oldSizeBytes, newSizeBytes);
  setVirtualSize(s, newSizeBytes);
  if (s.backing && s.backing.virtualSizeBytes > oldSizeBytes && newSizeBytes > oldSizeBytes) zeroizeGuest(s, oldSizeBytes, newSizeBytes - oldSizeBytes, false);
}

/**
 * The rest of the cluster the old size ends in may still hold data from before a shrink (a shrink
 * keeps a partly cut cluster): it is zeroed, and the zeros are durable, before the new size is
 * committed, so the grown area never shows that data, even after a crash (GD-1).
 */
function zeroCutTail(s: Qcow2State, oldSizeBytes: number, newSizeBytes: number): void {
  const tailEnd = Math.min(newSizeBytes, clusterIndexToOffset(s.g, sizeToClusterCount(s.g, oldSizeBytes)));
  if (tailEnd <= oldSizeBytes || !isAllocated(lookupCluster(s, oldSizeBytes - 1))) return;
  writeZeroBytes(s, oldSizeBytes, tailEnd - oldSizeBytes);
  flushCaches(s);
}

/** Sets the size field (growing L1 first when needed), without touching data. */
export function setVirtualSize(s: Qcow2State, newSizeBytes: number): void {
  growL1(s, sizeToL1EntryCount(s.g, newSizeBytes));
  s.header.sizeBytes = BigInt(newSizeBytes);
  commitHeaderFields(s, 'size');
  (s.g as { virtualSizeBytes: number }).virtualSizeBytes = newSizeBytes;
}

function shrinkTo(s: Qcow2State, newSizeBytes: number): void {
  const cs = s.g.clusterSizeBytes;
  const cut = clusterIndexToOffset(s.g, sizeToClusterCount(s.g, newSizeBytes));
  if (cut < s.g.virtualSizeBytes) discardGuest(s, cut, s.g.virtualSizeBytes - cut, { full: true });
  const keep = sizeToL1EntryCount(s.g, newSizeBytes);
  const dropped: number[] = [];
  for (let i = keep; i < s.l1.entryCount; i++) {
    const l2 = l1L2Offset(s, i);
    if (l2 === 0) continue;
    dropped.push(l2);
    setL1Entry(s, i, 0, false);
  }
  // The unlinks past the new end are durable before the tables go and before the new size is
  // committed: a size that lands without them would let a later grow show the old data (GD-1).
  s.l2Cache.flush();
  if (dropped.length > 0) {
    writeL1Table(s);
    for (const l2 of dropped) updateRefcount(s, l2, cs, -1);
  }
  s.header.sizeBytes = BigInt(newSizeBytes);
  commitHeaderFields(s, 'size');
  (s.g as { virtualSizeBytes: number }).virtualSizeBytes = newSizeBytes;
}
