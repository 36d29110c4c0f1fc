/**
 * Resizing (qcow2_co_truncate). Growing enlarges L1 (ORD-6) and then commits the size with one synced
 * header write; when the backing file is longer than the old size, the new area is zeroed so backing
 * data never shows through. Shrinking drops every whole cluster past the new end (a full discard),
 * unlinks the L2 tables past it (L1 written synced, then refcounts), then commits the size.
 */
import { EngineError } from '../engine-error.js';
import { discardGuest } from './discard.js';
import { commitHeaderFields } from './header-update.js';
import { growL1, l1L2Offset, setL1Entry, writeL1Table } from './l1-table.js';
import { updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';
import { zeroizeGuest } from './zeroize.js';

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
  setVirtualSize(s, newSizeBytes);
  if (s.backing && s.backing.virtualSizeBytes > oldSizeBytes && newSizeBytes > oldSizeBytes) {
    zeroizeGuest(s, oldSizeBytes, newSizeBytes - oldSizeBytes, false);
  }
}

/** Sets the size field (growing L1 first when needed), without touching data. */
export function setVirtualSize(s: Qcow2State, newSizeBytes: number): void {
  growL1(s, Math.ceil(newSizeBytes / s.g.l2CoverageBytes));
  s.header.sizeBytes = BigInt(newSizeBytes);
  commitHeaderFields(s, 'size');
  (s.g as { virtualSizeBytes: number }).virtualSizeBytes = newSizeBytes;
}

function shrinkTo(s: Qcow2State, newSizeBytes: number): void {
  const cs = s.g.clusterSizeBytes;
  const cut = Math.ceil(newSizeBytes / cs) * cs;
  if (cut < s.g.virtualSizeBytes) discardGuest(s, cut, s.g.virtualSizeBytes - cut, { full: true });
  const keep = Math.ceil(newSizeBytes / s.g.l2CoverageBytes);
  const dropped: number[] = [];
  for (let i = keep; i < s.l1.entryCount; i++) {
    const l2 = l1L2Offset(s, i);
    if (l2 === 0) continue;
    dropped.push(l2);
    setL1Entry(s, i, 0, false);
  }
  if (dropped.length > 0) {
    s.l2Cache.flush(); // the emptied tables' unlinks are durable before the tables go
    writeL1Table(s);
    for (const l2 of dropped) updateRefcount(s, l2, cs, -1);
  }
  s.header.sizeBytes = BigInt(newSizeBytes);
  commitHeaderFields(s, 'size');
  (s.g as { virtualSizeBytes: number }).virtualSizeBytes = newSizeBytes;
}
