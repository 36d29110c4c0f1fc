/**
 * Internal snapshots (SN-1..SN-7, ORD-9): create copies the active L1 and adds a reference to every
 * table and cluster it reaches before the snapshot is published; apply takes references for the
 * target first, then overwrites the active L1 with one synced write and drops the old references;
 * delete unpublishes first, then drops references. COPIED is recomputed in the active tables after.
 */
import { sizeToClusterCount } from '../../../spec/format/geometry.js';
import { limits } from '../../../spec/format/limits.js';
import type { SnapshotEntry } from '../../../spec/format/snapshot-table.js';
import { EngineError } from '../engine-error.js';
import { allocClusters } from './allocate.js';
import { flushCaches } from './flush.js';
import { growL1, writeL1Table } from './l1-table.js';
import { updateRefcount } from './refcounts.js';
import { setVirtualSize } from './resize.js';
import { checkSnapshotHeadroom, updateSnapshotRefcount, type L1View } from './snapshot-refcount.js';
import { readSnapshotL1, writeSnapshotTable } from './snapshot-table-io.js';
import type { Qcow2State } from './state.js';

const activeL1 = (s: Qcow2State): L1View => ({ bytes: s.l1.bytes, entryCount: s.l1.entryCount, active: true });

/** Creates snapshot `name` of the active state; throws EngineError EINVAL on refcount overflow. */
export function createSnapshot(s: Qcow2State, name: string): SnapshotEntry {
  if (s.snapshots.length >= limits.snapshotCountMax) throw new EngineError('EFBIG', `too many snapshots (max ${limits.snapshotCountMax})`);
  checkSnapshotHeadroom(s, activeL1(s));
  const l1Bytes = s.l1.entryCount * 8;
  const l1Offset = l1Bytes > 0 ? allocClusters(s, sizeToClusterCount(s.g, l1Bytes)) : 0;
  if (l1Bytes > 0) s.device.write(l1Offset, s.l1.bytes.subarray(0, l1Bytes)); // the copy keeps its COPIED bits (L1-3)
  const date = s.clock();
  const extra = new Uint8Array(24);
  new DataView(extra.buffer).setBigUint64(8, BigInt(s.g.virtualSizeBytes)); // disk_size (SN-3); icount 0 as qemu-img writes
  const entry: SnapshotEntry = {
    entryOffsetBytes: 0,
    entrySizeBytes: 0,
    l1TableOffset: BigInt(l1Offset),
    l1EntryCount: s.l1.entryCount,
    id: String(s.snapshots.reduce((max, e) => Math.max(max, Number(e.id) || 0), 0) + 1),
    name,
    dateSeconds: date.seconds,
    dateNanoseconds: date.nanoseconds,
    vmClockNanoseconds: 0n,
    vmStateSize32: 0,
    extraData: extra,
    vmStateSizeLarge: 0n,
    diskSizeBytes: BigInt(s.g.virtualSizeBytes),
    icount: 0n,
  };
  // MUT-8 snapshot-table-before-refs: publish before the references are taken (ORD-9).
  const refsFirst = !s.mut['snapshot-table-before-refs'];
  if (!refsFirst) writeSnapshotTable(s, [...s.snapshots, entry]);
  if (updateSnapshotRefcount(s, activeL1(s), 1)) writeL1Table(s);
  flushCaches(s); // ORD-9: references on disk before the snapshot table names them
  if (refsFirst) writeSnapshotTable(s, [...s.snapshots, entry]);
  return s.snapshots[s.snapshots.length - 1];
}

/** Reverts to the snapshot with this id, else this name; throws EngineError ENOENT when none. */
export function applySnapshot(s: Qcow2State, idOrName: string): void {
  const sn = s.snapshots.find((e) => e.id === idOrName) ?? s.snapshots.find((e) => e.name === idOrName);
  if (!sn) throw new EngineError('ENOENT', `snapshot '${idOrName}' not found`);
  const target: L1View = { bytes: readSnapshotL1(s, sn), entryCount: sn.l1EntryCount, active: false };
  growL1(s, sn.l1EntryCount);
  checkSnapshotHeadroom(s, target);
  updateSnapshotRefcount(s, target, 1);
  flushCaches(s); // take the target's references before the active L1 links its tables (ORD-9, ORD-11)
  const old: L1View = { bytes: s.l1.bytes.slice(), entryCount: s.l1.entryCount, active: false };
  s.l1.bytes.fill(0);
  s.l1.bytes.set(target.bytes);
  updateSnapshotRefcount(s, activeL1(s), 0); // exact COPIED bits before the L1 goes to disk
  writeL1Table(s); // ORD-9: the target L1 over the active one, synced
  updateSnapshotRefcount(s, old, -1);
  if (updateSnapshotRefcount(s, activeL1(s), 0)) writeL1Table(s);
  if (sn.diskSizeBytes !== undefined && Number(sn.diskSizeBytes) !== s.g.virtualSizeBytes) setVirtualSize(s, Number(sn.diskSizeBytes));
}

/** Deletes the first snapshot named `name`; throws EngineError ENOENT when none. */
export function deleteSnapshot(s: Qcow2State, name: string): void {
  const sn = s.snapshots.find((e) => e.name === name);
  if (!sn) throw new EngineError('ENOENT', `snapshot '${name}' not found`);
  const l1: L1View = { bytes: readSnapshotL1(s, sn), entryCount: sn.l1EntryCount, active: false };
  writeSnapshotTable(s, s.snapshots.filter((e) => e !== sn)); // ORD-9: unpublish first
  updateSnapshotRefcount(s, l1, -1);
  if (sn.l1EntryCount > 0) updateRefcount(s, Number(sn.l1TableOffset), sn.l1EntryCount * 8, -1);
  if (updateSnapshotRefcount(s, activeL1(s), 0)) writeL1Table(s);
}
