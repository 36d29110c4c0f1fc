/**
 * Refcount block allocation (ORD-7, alloc_refcount_block): a new block is placed, when it can be,
 * inside the range it describes so that it counts itself (self-describing); otherwise its own
 * refcount goes into an existing block first. The block and its refcount are written and flushed
 * before the one synced reftable entry write that hooks it up.
 */
import { setRefcount } from '../../../spec/format/refcount-block.js';
import { findFreeClusters, noteAllocated } from './allocate.js';
import { growRefcountTable } from './reftable-growth.js';
import { updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** Gives reftable index `reftableIndex` a refcount block (or grows the reftable to hold it). */
export function allocRefblock(s: Qcow2State, reftableIndex: number): void {
  // ORD-7: pending L2 updates go out before the refcount structures change shape.
  s.l2Cache.flush();
  if (reftableIndex >= s.reftable.blockOffsets.length) return growRefcountTable(s, reftableIndex);
  const epb = s.g.refblockEntryCount;
  const cs = s.g.clusterSizeBytes;
  const target = findFreeClusters(s, 1);
  const targetRi = Math.floor(target / epb);
  if (targetRi === reftableIndex) {
    const block = s.refblockCache.getEmpty(target * cs);
    setRefcount(block, target - reftableIndex * epb, s.g.refcountOrder, 1);
  } else if (targetRi >= s.reftable.blockOffsets.length || s.reftable.blockOffsets[targetRi] === 0) {
    return allocRefblock(s, targetRi); // the block's own range needs a block first; callers search again
  } else {
    updateRefcount(s, target * cs, cs, 1);
    s.refblockCache.getEmpty(target * cs);
  }
  noteAllocated(s, target, 1);
  // ORD-7: the new block and its own refcount are on disk before anything points at it.
  s.refblockCache.flush();
  s.reftable.blockOffsets[reftableIndex] = target * cs;
  writeReftableEntry(s, reftableIndex);
}

/** Writes reftable entry `reftableIndex` with one 8-byte synced write (ORD-7 hookup). */
export function writeReftableEntry(s: Qcow2State, reftableIndex: number): void {
  const entry = new Uint8Array(8);
  new DataView(entry.buffer).setBigUint64(0, BigInt(s.reftable.blockOffsets[reftableIndex]));
  s.device.write(s.reftable.offsetBytes + reftableIndex * 8, entry);
  s.device.flush();
}
