/**
 * The dirty bit of lazy refcounts (FEAT-1, FEAT-7, LAZY-2..LAZY-4). Set with one synced 8-byte write
 * before the first L2 update of a session; cleared only after both caches and the device are
 * flushed, so a clean image always has exact refcounts on disk.
 */
import { incompatibleBits } from '../../../spec/format/feature-bits.js';
import { flushCaches } from './flush.js';
import { commitHeaderFields } from './header-update.js';
import type { Qcow2State } from './state.js';

/** Marks a lazy-refcounts image dirty before its first L2 update (LAZY-2); no-op otherwise. */
export function markImageDirty(s: Qcow2State): void {
  if (!s.lazyRefcounts || s.dirty) return;
  s.header.incompatibleFeatures |= incompatibleBits.dirty;
  // MUT-11 dirty-bit-unsynced: the bit is written but not flushed before the L2 update (LAZY-2).
  commitHeaderFields(s, 'incompatible', { sync: !s.mut['dirty-bit-unsynced'] });
  s.dirty = true;
}

/** Writes back every refcount and clears the dirty bit (LAZY-4); no-op on a clean image. */
export function markImageClean(s: Qcow2State): void {
  if (!s.dirty) return;
  // MUT-10 clean-before-flush: the bit is cleared before the refcount blocks are flushed (LAZY-4).
  const flushFirst = !s.mut['clean-before-flush'];
  if (flushFirst) flushCaches(s, { all: true });
  s.header.incompatibleFeatures &= ~incompatibleBits.dirty;
  s.dirty = false;
  commitHeaderFields(s, 'incompatible');
  if (!flushFirst) flushCaches(s, { all: true });
}
