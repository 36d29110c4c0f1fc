/**
 * The L2 table a write may modify (get_cluster_table + l2_allocate): the table the L1 entry points
 * to when it is COPIED (refcount 1); otherwise a new table, empty or copied from the shared one, made
 * durable in the ORD-5 order: refcount, flush; table, flush; L1 entry, synced. The shared table then
 * loses the active L1's reference.
 */
import { ClusterType, clusterTypeOf, l2HostOffsetBytes } from '../../../spec/format/l2-entry.js';
import { offsetToClusterIndex } from '../../../spec/format/geometry.js';
import { withCopied } from '../../../spec/format/l1-entry.js';
import { allocClusters } from './allocate.js';
import { l1Copied, l1L2Offset, setL1Entry, writeL1Entry } from './l1-table.js';
import { setSlot, slotHi, slotLo } from './l2-slot.js';
import { getRefcount, updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** Offset of a writable (COPIED) L2 table for L1 entry `l1Index`, allocating or copying one. */
export function getL2ForWrite(s: Qcow2State, l1Index: number): number {
  const oldOffset = l1L2Offset(s, l1Index);
  if (oldOffset !== 0 && l1Copied(s, l1Index)) return oldOffset;
  const old = oldOffset !== 0 ? s.l2Cache.get(oldOffset).slice() : undefined;
  const oldCopied = l1Copied(s, l1Index);
  const newOffset = allocClusters(s, 1);
  // ORD-5: the new table's refcount is on disk before the table is.
  s.refblockCache.flush();
  const table = s.l2Cache.getEmpty(newOffset);
  if (old) copySharedTable(s, old, table);
  setL1Entry(s, l1Index, newOffset, true);
  try {
    // MUT-4 l1-before-l2: the L1 entry is written before the table it points to (ORD-5).
    const tableFirst = !s.mut['l1-before-l2'];
    if (tableFirst) s.l2Cache.flush(); // ORD-5: the table is on disk before L1 points at it
    writeL1Entry(s, l1Index); // ORD-5: one synced pointer write links it
    if (!tableFirst) s.l2Cache.flush();
  } catch (err) {
    // An I/O error: the in-memory L1 goes back to the old table, as QEMU's l2_allocate does, or
    // later writes would go through a table the L1 on disk never points at. The new table's
    // cluster stays allocated (a leak): the file's L1 chunk may already point at it.
    setL1Entry(s, l1Index, oldOffset, oldCopied);
    s.l2Cache.discard(newOffset);
    throw err;
  }
  if (oldOffset !== 0) updateRefcount(s, oldOffset, s.g.clusterSizeBytes, -1);
  return newOffset;
}

/** Copies a shared table's entries, with COPIED recomputed from the refcounts (L2-2). */
function copySharedTable(s: Qcow2State, old: Uint8Array, table: Uint8Array): void {
  table.set(old);
  const esize = s.g.l2EntrySizeBytes;
  for (let p = 0; p < table.length; p += esize) {
    const hi = slotHi(table, p);
    const lo = slotLo(table, p);
    const type = clusterTypeOf(hi, lo, s.g.extendedL2, false);
    if (type !== ClusterType.normal && type !== ClusterType.zeroAlloc) continue;
    const copied = getRefcount(s, offsetToClusterIndex(s.g, l2HostOffsetBytes(hi, lo))) === 1;
    setSlot(table, p, withCopied(hi, copied), lo);
  }
}
