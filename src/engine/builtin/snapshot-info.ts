/** SnapshotInfo (what `qemu-img snapshot -l` shows) from a decoded snapshot table entry. */
import { snapshotVmStateSizeBytes, type SnapshotEntry } from '../../../spec/format/snapshot-table.js';
import type { SnapshotInfo } from '../engine.js';

/** The listing fields of one decoded entry; sizes in bytes, times as stored. */
export function snapshotInfo(e: SnapshotEntry): SnapshotInfo {
  const info: SnapshotInfo = {
    id: e.id,
    name: e.name,
    vmStateSizeBytes: snapshotVmStateSizeBytes(e),
    dateSeconds: e.dateSeconds,
    dateNanoseconds: e.dateNanoseconds,
    vmClockNanoseconds: Number(e.vmClockNanoseconds),
  };
  if (e.diskSizeBytes !== undefined) info.diskSizeBytes = Number(e.diskSizeBytes);
  return info;
}
