/**
 * Snapshot refcount walks (qcow2_update_snapshot_refcount): add `addend` (+1, -1 or 0) to every L2
 * table and cluster an L1 table reaches, recomputing COPIED from the resulting refcounts (SN-5, SN-6,
 * L1-3, L2-2). Increments declare ORD-1 (they reach disk before the L2 tables whose COPIED changed).
 * `checkSnapshotHeadroom` proves an increment cannot overflow (RC-8) before anything changes.
 */
import { decodeCompressedDescriptor } from '../../../spec/format/compressed-descriptor.js';
import { offsetToClusterIndex } from '../../../spec/format/geometry.js';
import { l1EntryL2OffsetBytes, withCopied } from '../../../spec/format/l1-entry.js';
import { ClusterType, clusterTypeOf, l2HostOffsetBytes } from '../../../spec/format/l2-entry.js';
import { EngineError } from '../engine-error.js';
import { getU32, setU32 } from './be32.js';
import { checkedOffset } from './checked-offset.js';
import { setSlot, slotHi, slotLo } from './l2-slot.js';
import { getRefcount, updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** An L1 table to walk: its bytes (entries big-endian) and entry count. */
export interface L1View {
  bytes: Uint8Array;
  entryCount: number;
  /** The active L1: its COPIED bits are kept exact (only there do they mean anything, L1-3). */
  active: boolean;
}

/** L2 table offset of entry `i`, checked for alignment (L1-2). */
function l1ViewL2Offset(s: Qcow2State, l1: L1View, i: number): number {
  const offset = l1EntryL2OffsetBytes(getU32(l1.bytes, i * 8), getU32(l1.bytes, i * 8 + 4));
  return checkedOffset(offset, s.g.clusterSizeBytes, s.g.clusterSizeBytes, 'L1-2', () => `L1 entry ${i}`);
}

/** Walks `l1`, applying `addend`; returns true when COPIED bits in `l1.bytes` changed. */
export function updateSnapshotRefcount(s: Qcow2State, l1: L1View, addend: -1 | 0 | 1): boolean {
  if (addend > 0) s.l2Cache.setDependency(s.refblockCache); // ORD-1: increments before the L2 COPIED updates
  // MUT-24 copied-flag-stale: after a snapshot increment, COPIED stays as it was (L2-2, L1-3).
  const stale = addend > 0 && s.mut['copied-flag-stale'];
  const cs = s.g.clusterSizeBytes;
  let l1Changed = false;
  for (let i = 0; i < l1.entryCount; i++) {
    const l2Offset = l1ViewL2Offset(s, l1, i);
    if (l2Offset === 0) continue;
    updateL2Table(s, l2Offset, addend, stale);
    updateRefcount(s, l2Offset, cs, addend);
    if (!l1.active || stale) continue;
    const hi = getU32(l1.bytes, i * 8);
    const next = withCopied(hi, getRefcount(s, offsetToClusterIndex(s.g, l2Offset)) === 1);
    if (next !== hi) {
      setU32(l1.bytes, i * 8, next);
      l1Changed = true;
    }
  }
  return l1Changed;
}

function updateL2Table(s: Qcow2State, l2Offset: number, addend: number, stale: boolean): void {
  const table = s.l2Cache.get(l2Offset);
  const cs = s.g.clusterSizeBytes;
  for (let p = 0; p < table.length; p += s.g.l2EntrySizeBytes) {
    const hi = slotHi(table, p);
    const lo = slotLo(table, p);
    const type = clusterTypeOf(hi, lo, s.g.extendedL2, false);
    if (type === ClusterType.compressed) {
      const d = decodeCompressedDescriptor(hi, lo, s.g.clusterBits);
      updateRefcount(s, d.hostOffsetBytes, d.sizeBytes, addend);
      continue;
    }
    if (type !== ClusterType.normal && type !== ClusterType.zeroAlloc) continue;
    const host = l2HostOffsetBytes(hi, lo);
    updateRefcount(s, host, cs, addend);
    if (stale) continue;
    const next = withCopied(hi, getRefcount(s, offsetToClusterIndex(s.g, host)) === 1);
    if (next === hi) continue;
    setSlot(s.l2Cache.get(l2Offset), p, next, lo);
    s.l2Cache.markDirty(l2Offset);
  }
}

/**
 * Throws EngineError EINVAL when adding 1 for every reference from `l1` would overflow a refcount
 * (RC-8; e.g. any snapshot of a written image with 1-bit refcounts). Changes nothing.
 */
export function checkSnapshotHeadroom(s: Qcow2State, l1: L1View): void {
  const extra = new Map<number, number>();
  const cs = s.g.clusterSizeBytes;
  const count = (offset: number, lengthBytes: number) => {
    const last = offsetToClusterIndex(s.g, offset + lengthBytes - 1);
    for (let c = offsetToClusterIndex(s.g, offset); c <= last; c++) extra.set(c, (extra.get(c) ?? 0) + 1);
  };
  for (let i = 0; i < l1.entryCount; i++) {
    const l2Offset = l1ViewL2Offset(s, l1, i);
    if (l2Offset === 0) continue;
    count(l2Offset, cs);
    const table = s.l2Cache.get(l2Offset);
    for (let p = 0; p < table.length; p += s.g.l2EntrySizeBytes) {
      const hi = slotHi(table, p);
      const lo = slotLo(table, p);
      const type = clusterTypeOf(hi, lo, s.g.extendedL2, false);
      if (type === ClusterType.compressed) {
        const d = decodeCompressedDescriptor(hi, lo, s.g.clusterBits);
        count(d.hostOffsetBytes, d.sizeBytes);
      } else if (type === ClusterType.normal || type === ClusterType.zeroAlloc) count(l2HostOffsetBytes(hi, lo), cs);
    }
  }
  for (const [c, n] of extra) {
    if (getRefcount(s, c) + n > s.g.refcountMax) throw new EngineError('EINVAL', `refcount overflow at cluster ${c} (max ${s.g.refcountMax}, RC-8)`);
  }
}
