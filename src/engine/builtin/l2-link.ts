/**
 * Linking a cluster into L2 (qcow2_alloc_cluster_link_l2) and dropping the old one, with the ordering
 * declared where it is decided: the dirty bit first (LAZY-2), the refcount increase before the link
 * (ORD-1), the copy-on-write data and the new data before the link (ORD-3, ORD-4); the old
 * cluster's refcount decrease after the unlink (ORD-2, in updateRefcount).
 */
import { decodeCompressedDescriptor } from '../../../spec/format/compressed-descriptor.js';
import { ClusterType } from '../../../spec/format/l2-entry.js';
import type { ClusterMapping } from './cluster-lookup.js';
import { markImageDirty } from './dirty-bit.js';
import { setSlot, setSlotBitmap, slotPosition } from './l2-slot.js';
import { updateRefcount } from './refcounts.js';
import { needAccurateRefcounts, type Qcow2State } from './state.js';

export interface NewL2Entry {
  hi: number;
  lo: number;
  zeroBits: number;
  allocBits: number;
}

/**
 * Stores `entry` in the slot `m` describes. `allocated`: the entry points at a cluster allocated
 * for it; `cowDone`: copy-on-write data was written for it.
 */
export function linkL2Entry(s: Qcow2State, m: ClusterMapping, entry: NewL2Entry, opts: { cowDone: boolean }): void {
  // ORD-4: the data written for this entry must be durable before the L2 table that links it. With
  // exact refcounts ORD-1's refcount flush orders it; while a lazy-refcounts image is dirty (LAZY-3)
  // nothing else does (QEMU 7.2 has no such barrier: corpus qemu-lazy-refcounts-link-before-data).
  // The first link of a session flushes the data before the dirty bit goes out; later links make
  // the L2 cache flush before its next write.
  const firstLazyLink = s.lazyRefcounts && !s.dirty;
  if (firstLazyLink) s.device.flush(); // ORD-4
  markImageDirty(s); // LAZY-2: before the first L2 update of the session
  // MUT-1 refcount-after-l2: no refcount-before-link dependency (ORD-1).
  if (needAccurateRefcounts(s) && !s.mut['refcount-after-l2']) s.l2Cache.setDependency(s.refblockCache); // ORD-1
  // MUT-3 no-cow-flush: the L2 update may overtake the data written for it (ORD-3, ORD-4).
  const dataFirst = opts.cowDone || (!needAccurateRefcounts(s) && !firstLazyLink);
  if (dataFirst && !s.mut['no-cow-flush']) s.l2Cache.dependsOnFlush(); // ORD-3, ORD-4
  const table = s.l2Cache.get(m.l2OffsetBytes);
  const p = slotPosition(m.l2Index, s.g.l2EntrySizeBytes);
  setSlot(table, p, entry.hi, entry.lo);
  if (s.g.extendedL2) setSlotBitmap(table, p, entry.zeroBits, entry.allocBits);
  s.l2Cache.markDirty(m.l2OffsetBytes);
}

/** Updates only the L2 slot (no new cluster): zero flags, bitmaps, unlinks. Marks dirty first (LAZY-2). */
export function setL2Entry(s: Qcow2State, m: ClusterMapping, entry: NewL2Entry): void {
  markImageDirty(s);
  const table = s.l2Cache.get(m.l2OffsetBytes);
  const p = slotPosition(m.l2Index, s.g.l2EntrySizeBytes);
  setSlot(table, p, entry.hi, entry.lo);
  if (s.g.extendedL2) setSlotBitmap(table, p, entry.zeroBits, entry.allocBits);
  s.l2Cache.markDirty(m.l2OffsetBytes);
}

/** Drops the reference the old entry `m` held (after its slot was overwritten). */
export function releaseOldCluster(s: Qcow2State, m: ClusterMapping): void {
  const cs = s.g.clusterSizeBytes;
  if (m.type === ClusterType.normal || m.type === ClusterType.zeroAlloc) {
    updateRefcount(s, m.hostOffsetBytes, cs, -1);
  } else if (m.type === ClusterType.compressed) {
    const d = decodeCompressedDescriptor(m.hi, m.lo, s.g.clusterBits);
    updateRefcount(s, d.hostOffsetBytes, d.sizeBytes, -1);
  }
}
