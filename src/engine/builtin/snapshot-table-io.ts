/**
 * Writing the snapshot table (ORD-9, qcow2_write_snapshots): a new table in newly allocated clusters,
 * its refcounts flushed, the table written and flushed, then one synced header write {nb_snapshots,
 * snapshots_offset} publishes it, and only then is the old table freed. Also reads a snapshot's L1
 * table with its limits checked first (SN-4).
 */
import { hex } from '../../../spec/format/bounded-reader.js';
import { FormatError } from '../../../spec/format/format-error.js';
import { sizeToClusterCount } from '../../../spec/format/geometry.js';
import { limits } from '../../../spec/format/limits.js';
import { encodeSnapshotTable, type SnapshotEntry } from '../../../spec/format/snapshot-table.js';
import { allocClusters } from './allocate.js';
import { checkedOffset } from './checked-offset.js';
import { flushCaches } from './flush.js';
import { commitHeaderFields } from './header-update.js';
import { updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** Replaces the on-disk snapshot table with `entries`. */
export function writeSnapshotTable(s: Qcow2State, entries: SnapshotEntry[]): void {
  const bytes = encodeSnapshotTable(entries);
  const oldOffset = Number(s.header.snapshotsOffset);
  const oldSizeBytes = s.snapshots.reduce((sum, e) => sum + e.entrySizeBytes, 0);
  let newOffset = 0;
  if (bytes.length > 0) {
    newOffset = allocClusters(s, sizeToClusterCount(s.g, bytes.length));
    flushCaches(s); // ORD-9: the new table's refcounts are on disk first
    s.device.write(newOffset, bytes);
    s.device.flush(); // ORD-9: the table is on disk before the header points at it
  }
  s.header.snapshotCount = entries.length;
  s.header.snapshotsOffset = BigInt(newOffset);
  commitHeaderFields(s, 'snapshots'); // ORD-9: one synced pointer write publishes the list
  let pos = newOffset;
  s.snapshots = entries.map((e) => {
    const size = Math.ceil((40 + e.extraData.length + new TextEncoder().encode(e.id + e.name).length) / 8) * 8;
    const placed = { ...e, entryOffsetBytes: pos, entrySizeBytes: size };
    pos += size;
    return placed;
  });
  if (oldOffset !== 0 && oldSizeBytes > 0) updateRefcount(s, oldOffset, oldSizeBytes, -1);
}

/** The L1 table of snapshot `sn`, rounded up to 8-byte entries; checked against SN-4 first. */
export function readSnapshotL1(s: Qcow2State, sn: SnapshotEntry): Uint8Array {
  const where = `snapshot ${sn.id} (${sn.name}) L1 @${hex(sn.l1TableOffset)}`;
  if (sn.l1EntryCount * 8 > limits.l1SizeBytesMax) throw new FormatError('SN-4', where, `L1 of ${sn.l1EntryCount} entries exceeds ${limits.l1SizeBytesMax} bytes`);
  if (sn.l1TableOffset > BigInt(limits.safeOffsetBytesMax)) throw new FormatError('CRASHCOW-OFFSET', where, 'L1 table lies beyond 2^53 bytes');
  const offset = checkedOffset(Number(sn.l1TableOffset), sn.l1EntryCount * 8, s.g.clusterSizeBytes, 'SN-4', () => where);
  if (sn.l1EntryCount === 0) return new Uint8Array(0);
  return s.device.read(offset, sn.l1EntryCount * 8);
}
