/**
 * Refcount block allocation (ORD-7, alloc_refcount_block): a new block is placed, when it can be,
 * inside the range it describes so that it counts itself (self-describing); otherwise its own
 * refcount goes into an existing block first. The block and its refcount are written and flushed
 * before the one synced reftable entry write that hooks it up.
 */
import { clusterIndexToOffset, clusterIndexToRefblockIndex, clusterIndexToReftableIndex } from '../../../spec/format/geometry.js';
import { setRefcount } from '../../../spec/format/refcount-block.js';
import { encodeRefcountTableEntry } from '../../../spec/format/refcount-table-entry.js';
import { findFreeClusters, noteAllocated } from './allocate.js';
import { growRefcountTable } from './reftable-growth.js';
import { updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** Gives reftable index `reftableIndex` a refcount block (or grows the reftable to hold it). */
export function allocRefblock(s: Qcow2State, reftableIndex: number): void {
  // ORD-7: pending L2 updates go out before the refcount structures change shape.
  s.l2Cache.flush();
  if (reftableIndex >= s.reftable.blockOffsets.length) return growRefcountTable(s, reftableIndex);
  const target = findFreeClusters(s, 1);
  const targetOffset = clusterIndexToOffset(s.g, target);
  const targetRi = clusterIndexToReftableIndex(s.g, target);
  if (targetRi === reftableIndex) {
    const block = s.refblockCache.getEmpty(targetOffset);
    setRefcount(block, clusterIndexToRefblockIndex(s.g, target), s.g.refcountOrder, 1);
  } else if (targetRi >= s.reftable.blockOffsets.length || s.reftable.blockOffsets[targetRi] === 0) {
    return allocRefblock(s, targetRi); // the block's own range needs a block first; callers search again
  } else {
    updateRefcount(s, targetOffset, s.g.clusterSizeBytes, 1);
    s.refblockCache.getEmpty(targetOffset);
  }
  noteAllocated(s, target, 1);
  // ORD-7: the new block and its own refcount are on disk before anything points at it.
  s.refblockCache.flush();
  s.reftable.blockOffsets[reftableIndex] = targetOffset;
  writeReftableEntry(s, reftableIndex);
}

/** Writes reftable entry `reftableIndex` with one 8-byte synced write (ORD-7 hookup). */
function writeReftableEntry(s: Qcow2State, reftableIndex: number): void {
  const entry = new Uint8Array(8);
  new DataView(entry.buffer).setBigUint64(0, encodeRefcountTableEntry(s.reftable.blockOffsets[reftableIndex]));
  s.device.write(s.reftable.offsetBytes + reftableIndex * 8, entry);
  s.device.flush();
}
