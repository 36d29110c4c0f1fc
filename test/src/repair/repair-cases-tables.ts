/**
 * Damage cases on whole tables and the header: the L1 table past the end of the file, the
 * snapshot table, feature bits, external data files. See repair-cases.ts for the fields.
 */
import { statSync } from 'node:fs';
import { Layout, readU64, writeBytes, writeU32, writeU64 } from '../check/damage.js';
import { dataFile, plain, snapshots } from './repair-bases.js';
import type { RepairCase } from './repair-cases.js';

const or = (p: string, at: number, bits: bigint) => writeU64(p, at, readU64(p, at) | bits);
const pastEnd = (p: string) => BigInt(statSync(p).size + 2 ** 30) & ~0xffffn;
const snapshotsAt = (l: Layout) => Number(l.meta.header.snapshotsOffset);

/** Copies the L1 table to a new last cluster and makes it 2 clusters long: its tail lies past the end. */
function l1RunningPastEnd(p: string, l: Layout): void {
  const cs = l.clusterSizeBytes;
  const at = Math.ceil(statSync(p).size / cs) * cs;
  const entries = new Uint8Array(cs);
  for (let i = 0; i < l.meta.header.l1EntryCount; i++) new DataView(entries.buffer).setBigUint64(i * 8, readU64(p, l.l1EntryOffset(i)));
  writeBytes(p, at, entries);
  writeU32(p, 36, (2 * cs) / 8);
  writeU64(p, 40, BigInt(at));
}

export const tableCases: RepairCase[] = [
  { name: 'L1 table wholly past the end of the file', base: plain(), damage: (p) => writeU64(p, 40, pastEnd(p)), lost: () => 'all', qemuAfter: 2 },
  { name: 'L1 table running past the end of the file', base: plain(), damage: l1RunningPastEnd, qemuAfter: 2 },
  { name: 'snapshot table: more snapshots than QEMU takes', base: snapshots, damage: (p) => writeU32(p, 60, 65537), qemuAfter: 1 },
  { name: 'snapshot table: unaligned offset', base: snapshots, damage: (p) => or(p, 64, 0x200n), qemuAfter: 1 },
  { name: 'snapshot table: oversized extra data', base: snapshots, damage: (p, l) => writeU32(p, snapshotsAt(l) + 36, 5000), qemuAfter: 0 },
  { name: 'snapshot table: entries past its end', base: snapshots, damage: (p) => writeU32(p, 60, 5), qemuAfter: 0 },
  { name: 'snapshot entry: unaligned L1 offset', base: snapshots, damage: (p, l) => or(p, snapshotsAt(l), 0x200n), qemuAfter: 2 },
  { name: 'snapshot entry: incomplete extra data', base: snapshots, damage: (p, l) => writeU32(p, snapshotsAt(l) + 36, 8), qemuAfter: 2 },
  { name: 'snapshot entry: L1 table too large', base: snapshots, damage: (p, l) => writeU32(p, snapshotsAt(l) + 8, 5_000_000), qemuAfter: 2 },
  { name: 'snapshot table past the end of the file', base: snapshots, damage: (p) => writeU64(p, 64, pastEnd(p)), qemuAfter: 0 },
  { name: 'bitmaps autoclear bit without a bitmaps extension', base: plain(), damage: (p) => or(p, 88, 1n), qemuAfter: 0 },
  {
    name: 'external data file cluster away from its guest offset',
    base: dataFile,
    damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 1), (1n << 63n) | 0x300000n),
    lost: () => [1],
    qemuAfter: 0,
  },
];
