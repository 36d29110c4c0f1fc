/**
 * Snapshot tables laid into images qemu-img made, in the shape of QEMU's own tests of the snapshot
 * table limits: entries whose L1 table is empty (so they reference nothing) or points where the
 * test says, with extra data, ids and names of any length. The table goes at the first cluster past
 * the end of the image, its clusters get refcount 1 and the header points at it, so the image breaks
 * nothing but what the entries themselves break (QEMU's 64 MiB, 65536 snapshots, 1024 bytes of
 * extra data, 32 MiB L1 tables). Needs 16-bit refcounts and one refcount block covering the file
 * (any image of qemu-img's default refcount width below 2 GiB).
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** One snapshot table entry to write. */
export interface SnapshotEntrySpec {
  idBytes: number;
  nameBytes: number;
  /** Bytes of extra data; 16 or more carry vm_state_size_large 0 and disk_size = the virtual size. */
  extraBytes: number;
  l1OffsetBytes?: number;
  l1EntryCount?: number;
}

/** Bytes of an entry without its padding: 40 fixed + extra data + id + name. */
export function snapshotEntryBytes(s: SnapshotEntrySpec): number {
  return 40 + s.extraBytes + s.idBytes + s.nameBytes;
}

/** The entry's bytes, padded to 8. */
export function encodeSnapshotEntrySpec(s: SnapshotEntrySpec, virtualSizeBytes: bigint): Uint8Array {
  const out = new Uint8Array(Math.ceil(snapshotEntryBytes(s) / 8) * 8);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(s.l1OffsetBytes ?? 0));
  view.setUint32(8, s.l1EntryCount ?? 0);
  view.setUint16(12, s.idBytes);
  view.setUint16(14, s.nameBytes);
  view.setUint32(36, s.extraBytes);
  if (s.extraBytes >= 16) view.setBigUint64(48, virtualSizeBytes);
  const idStart = 40 + s.extraBytes;
  out.fill(0x69, idStart, idStart + s.idBytes);
  out.fill(0x6e, idStart + s.idBytes, idStart + s.idBytes + s.nameBytes);
  return out;
}

/** `image` with a snapshot table of `entries` (each repeated `repeat` times) appended and hooked up. */
export function withSnapshotTable(image: Uint8Array, entries: ReadonlyArray<{ entry: SnapshotEntrySpec; repeat?: number }>): Uint8Array {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const clusterSizeBytes = 2 ** view.getUint32(20);
  if (view.getUint32(96) !== 4) throw new Error('withSnapshotTable needs 16-bit refcounts');
  const virtualSizeBytes = view.getBigUint64(24);
  const encoded = entries.map(({ entry, repeat }) => ({ bytes: encodeSnapshotEntrySpec(entry, virtualSizeBytes), repeat: repeat ?? 1 }));
  const tableBytes = encoded.reduce((n, e) => n + e.bytes.length * e.repeat, 0);
  const tableOffsetBytes = Math.ceil(image.length / clusterSizeBytes) * clusterSizeBytes;
  const tableClusters = Math.max(1, Math.ceil(tableBytes / clusterSizeBytes));
  const out = new Uint8Array(tableOffsetBytes + tableClusters * clusterSizeBytes);
  out.set(image);
  let pos = tableOffsetBytes;
  for (const e of encoded) {
    for (let k = 0; k < e.repeat; k++, pos += e.bytes.length) out.set(e.bytes, pos);
  }
  const outView = new DataView(out.buffer);
  const refblockOffsetBytes = Number(outView.getBigUint64(Number(outView.getBigUint64(48))));
  const firstCluster = tableOffsetBytes / clusterSizeBytes;
  if ((firstCluster + tableClusters) * 2 > clusterSizeBytes) throw new Error('the table lies past the first refcount block');
  for (let k = 0; k < tableClusters; k++) outView.setUint16(refblockOffsetBytes + (firstCluster + k) * 2, 1);
  outView.setUint32(60, encoded.reduce((n, e) => n + e.repeat, 0));
  outView.setBigUint64(64, BigInt(tableOffsetBytes));
  return out;
}

/** Appends `count` copies of `entry` as the snapshot table of the image file at `path`. */
export function appendRepeatedSnapshotTable(path: string, entry: SnapshotEntrySpec, count: number): void {
  writeFileSync(path, withSnapshotTable(new Uint8Array(readFileSync(path)), [{ entry, repeat: count }]));
}
