/**
 * Damage cases for the repair tests: refcount, mapping, table, snapshot and feature-bit damage, each
 * on a real qemu-img image. `lost` names the guest clusters whose data the damage itself destroyed
 * (the repair may not bring them back, everything else must read exactly as before the damage);
 * `qemuAfter` is the exit code of `qemu-img check` after `qemu-img check -r all` on a copy, as
 * observed with qemu-img 7.2: anything but 0 means qemu-img's repair leaves errors.
 */
import { statSync, truncateSync } from 'node:fs';
import { encodeCompressedDescriptor } from '../../../spec/format/compressed-descriptor.js';
import { qemuIo } from '../../helpers/qemu.js';
import { Layout, OFFSET_MASK, readU64, writeU32, writeU64 } from '../check/damage.js';
import { crashedLazy, plain, sharedTables, snapshots, type BaseImage } from './repair-bases.js';

export interface RepairCase {
  name: string;
  base: BaseImage;
  damage: (p: string, l: Layout) => void | Promise<void>;
  /** Guest cluster indexes the damage destroyed, or 'all' when it cut every mapping. */
  lost?: (l: Layout) => number[] | 'all';
  /** Exit code of qemu-img check after qemu-img check -r all on a copy (qemu-img 7.2). */
  qemuAfter: number;
}

const COPIED = 1n << 63n;
const or = (p: string, at: number, bits: bigint) => writeU64(p, at, readU64(p, at) | bits);
const and = (p: string, at: number, bits: bigint) => writeU64(p, at, readU64(p, at) & bits);
const pastEnd = (p: string) => BigInt(statSync(p).size + 2 ** 30) & ~0xffffn;

export const refcountCases: RepairCase[] = [
  { name: 'refcount too high on a referenced cluster', base: plain(), damage: (_p, l) => l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)), 2), qemuAfter: 0 },
  { name: 'refcount on a free cluster', base: plain(), damage: async (p, l) => { const free = l.clusterOf(l.dataOffset(0, 1)); await qemuIo(p, ['discard 64k 64k']); l.setStoredRefcount(free, 1); }, lost: () => [1], qemuAfter: 0 },
  { name: 'refcount too low on a shared cluster', base: snapshots, damage: (_p, l) => l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 1), qemuAfter: 0 },
  { name: 'refcount zero on a referenced cluster', base: plain(), damage: (_p, l) => l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 0), qemuAfter: 0 },
  { name: 'refcount block whose own refcount is 0', base: plain(), damage: (_p, l) => l.setStoredRefcount(l.clusterOf(l.refblockOffset(0)), 0), qemuAfter: 0 },
  { name: 'unaligned refcount block offset', base: plain(), damage: (p, l) => or(p, l.reftableEntryOffset(0), 0x200n), qemuAfter: 1 },
  { name: 'reserved bits in a refcount table entry', base: plain(), damage: (p, l) => or(p, l.reftableEntryOffset(0), 0x1n), qemuAfter: 2 },
  { name: 'refcount block outside the image', base: plain(), damage: (p, l) => writeU64(p, l.reftableEntryOffset(1), pastEnd(p)), qemuAfter: 0 },
  { name: 'no refcount table (0 clusters)', base: plain(), damage: (p) => writeU32(p, 56, 0), qemuAfter: 0 },
  { name: 'refcount overflow with 1-bit refcounts (two entries, one cluster)', base: plain('refcount_bits=1'), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 1), readU64(p, l.l2EntryOffset(0, 0))), lost: () => [1], qemuAfter: 2 },
  { name: 'dirty bit with a stale refcount', base: plain('lazy_refcounts=on'), damage: (p, l) => { or(p, 72, 1n); l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)), 0); }, qemuAfter: 0 },
  { name: 'lazy-refcount image left dirty by a killed qemu-io', base: crashedLazy, damage: () => undefined, qemuAfter: 0 },
  { name: 'dirty bit on a consistent image', base: plain(), damage: (p) => or(p, 72, 1n), qemuAfter: 0 },
  { name: 'corrupt bit set', base: plain(), damage: (p) => or(p, 72, 2n), qemuAfter: 0 },
];

export const mappingCases: RepairCase[] = [
  { name: 'L2 entry pointing into the header (unaligned)', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 0), COPIED | 0x200n), lost: () => [0], qemuAfter: 2 },
  { name: 'compressed L2 entry pointing into the header', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 1), encodeCompressedDescriptor(0x100, 300, 16)), lost: () => [1], qemuAfter: 0 },
  { name: 'L2 entry pointing at the refcount table', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 0), COPIED | l.meta.header.refcountTableOffset), lost: () => [0], qemuAfter: 0 },
  { name: 'L2 entry pointing at a refcount block', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 0), COPIED | BigInt(l.refblockOffset(0))), lost: () => [0], qemuAfter: 0 },
  {
    name: 'L2 entry pointing at another L2 table',
    base: plain('cluster_size=4k'),
    damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 1), COPIED | BigInt(l.l2Offset(2))),
    lost: () => [1],
    qemuAfter: 0,
  },
  { name: 'L2 entry pointing at the L1 table', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 2), COPIED | l.meta.header.l1TableOffset), lost: () => [2], qemuAfter: 0 },
  { name: 'two active L2 entries on one data cluster', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 16), readU64(p, l.l2EntryOffset(0, 0))), lost: () => [16], qemuAfter: 0 },
  { name: 'L1 entry with COPIED but offset 0', base: plain('cluster_size=4k'), damage: (p, l) => writeU64(p, l.l1EntryOffset(3), COPIED), qemuAfter: 2 },
  { name: 'unaligned data cluster offset', base: plain(), damage: (p, l) => or(p, l.l2EntryOffset(0, 2), 0x200n), lost: () => [2], qemuAfter: 2 },
  { name: 'unaligned L2 table offset in the L1 table', base: plain(), damage: (p, l) => or(p, l.l1EntryOffset(0), 0x200n), lost: () => 'all', qemuAfter: 2 },
  { name: 'reserved bits in an L1 entry', base: plain(), damage: (p, l) => or(p, l.l1EntryOffset(0), 1n << 56n), qemuAfter: 2 },
  { name: 'reserved bits in an L2 entry', base: plain(), damage: (p, l) => or(p, l.l2EntryOffset(0, 3), (1n << 57n) | 0x2n), qemuAfter: 2 },
  { name: 'COPIED clear on a cluster with refcount 1', base: plain(), damage: (p, l) => and(p, l.l2EntryOffset(0, 1), ~COPIED), qemuAfter: 0 },
  { name: 'COPIED set on a shared L2 table', base: sharedTables, damage: (p, l) => or(p, l.l1EntryOffset(0), COPIED), qemuAfter: 0 },
  { name: 'COPIED set on a compressed cluster', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 1), COPIED | encodeCompressedDescriptor(l.dataOffset(0, 1), 300, 16)), lost: () => [1], qemuAfter: 2 },
  { name: 'COPIED on an entry that maps no cluster', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 40), COPIED), qemuAfter: 0 },
  { name: 'zero flag in a v2 image', base: plain('compat=0.10'), damage: (p, l) => or(p, l.l2EntryOffset(0, 1), 1n), lost: () => [1], qemuAfter: 0 },
  { name: 'extended L2: bit 0 set', base: plain('extended_l2=on'), damage: (p, l) => or(p, l.l2EntryOffset(0, 1), 1n), qemuAfter: 0 },
  { name: 'extended L2: subcluster both allocated and zero', base: plain('extended_l2=on'), damage: (p, l) => or(p, l.l2EntryOffset(0, 0) + 8, 1n << 32n), lost: () => [0], qemuAfter: 2 },
  { name: 'extended L2: allocated subclusters without a cluster', base: plain('extended_l2=on'), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 9) + 8, 0x3n), lost: () => [9], qemuAfter: 2 },
  { name: 'compressed data offset at or above 2^56 (512-byte clusters)', base: plain('cluster_size=512'), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 1), encodeCompressedDescriptor(0, 300, 9) | (1n << 57n)), lost: () => [1], qemuAfter: 2 },
  {
    name: 'truncated file cuts off referenced clusters',
    base: plain(),
    damage: (p, l) => truncateSync(p, l.dataOffset(0, 1)),
    lost: (l) => lostPastCut(l, l.dataOffset(0, 1)),
    qemuAfter: 2,
  },
];

/** Guest clusters under L1[0] whose data lies at or past `cutBytes` (read before the cut). */
function lostPastCut(l: Layout, cutBytes: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < 256; j++) {
    const host = Number(readU64(l.path, l.l2EntryOffset(0, j)) & OFFSET_MASK);
    if (host >= cutBytes) out.push(j);
  }
  return out;
}
