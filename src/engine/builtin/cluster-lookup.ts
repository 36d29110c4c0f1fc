/**
 * Cluster lookup (qcow2_get_host_offset): guest offset -> L1 entry -> L2 entry, decoded through
 * spec/format/l2-entry.ts and checked where a wrong value would make the engine read or write the
 * wrong place: unaligned L2 tables (L1-2) and data clusters (L2-3), zero flags in v2 (L2-6) and
 * contradictory subcluster bitmaps (XL2-3, XL2-4) are FormatErrors, never silent.
 */
import { hex } from '../../../spec/format/bounded-reader.js';
import { FormatError } from '../../../spec/format/format-error.js';
import { guestOffsetToL1Index, guestOffsetToL2Index } from '../../../spec/format/geometry.js';
import { ClusterType, clusterTypeOf, hasZeroFlag, l2HostOffsetBytes } from '../../../spec/format/l2-entry.js';
import { checkedOffset } from './checked-offset.js';
import { l1L2Offset } from './l1-table.js';
import { slotAllocBits, slotHi, slotLo, slotPosition, slotZeroBits } from './l2-slot.js';
import type { Qcow2State } from './state.js';

export interface ClusterMapping {
  type: ClusterType;
  /** Raw entry halves (the compressed descriptor lives in them). */
  hi: number;
  lo: number;
  zeroBits: number;
  allocBits: number;
  /** Host offset of a normal or zero-alloc cluster, else 0. */
  hostOffsetBytes: number;
  /** The L2 table holding the entry, 0 when the L1 entry is empty. */
  l2OffsetBytes: number;
  l2Index: number;
}

/** The mapping of the cluster holding guest offset `guestOffsetBytes` (inside the virtual size). */
export function lookupCluster(s: Qcow2State, guestOffsetBytes: number): ClusterMapping {
  const g = s.g;
  const l1Index = guestOffsetToL1Index(g, guestOffsetBytes);
  const l2Index = guestOffsetToL2Index(g, guestOffsetBytes);
  const l2OffsetBytes = l1Index < s.l1.entryCount ? l1L2Offset(s, l1Index) : 0;
  const m: ClusterMapping = { type: ClusterType.unallocated, hi: 0, lo: 0, zeroBits: 0, allocBits: 0, hostOffsetBytes: 0, l2OffsetBytes, l2Index };
  if (l2OffsetBytes === 0) return m;
  return decodeSlot(s, s.l2Cache.get(l2OffsetBytes), m);
}

/** Fills `m` from slot `m.l2Index` of `table` and validates it. */
export function decodeSlot(s: Qcow2State, table: Uint8Array, m: ClusterMapping): ClusterMapping {
  const g = s.g;
  const p = slotPosition(m.l2Index, g.l2EntrySizeBytes);
  m.hi = slotHi(table, p);
  m.lo = slotLo(table, p);
  m.type = clusterTypeOf(m.hi, m.lo, g.extendedL2, false);
  const where = () => `L2[${m.l2Index}] @${hex(m.l2OffsetBytes + p)}`;
  if (g.extendedL2) {
    m.zeroBits = slotZeroBits(table, p);
    m.allocBits = slotAllocBits(table, p);
    checkBitmap(m, where);
  } else if (s.header.version < 3 && m.type !== ClusterType.compressed && hasZeroFlag(m.lo)) {
    throw new FormatError('L2-6', where(), 'zero cluster flag in a version 2 image');
  }
  if (m.type === ClusterType.normal || m.type === ClusterType.zeroAlloc) {
    m.hostOffsetBytes = checkedOffset(l2HostOffsetBytes(m.hi, m.lo), g.clusterSizeBytes, g.clusterSizeBytes, 'L2-3', where);
  } else {
    m.hostOffsetBytes = 0;
  }
  return m;
}

function checkBitmap(m: ClusterMapping, where: () => string): void {
  if (m.type === ClusterType.normal && (m.zeroBits & m.allocBits) !== 0) {
    throw new FormatError('XL2-3', where(), 'a subcluster is marked both allocated and zero');
  }
  if (m.type === ClusterType.unallocated && m.allocBits !== 0) {
    throw new FormatError('XL2-4', where(), 'an unallocated cluster has subcluster allocation bits');
  }
}
