/**
 * Appends a snapshot table to an image qemu-img made, in the shape of QEMU's own test of the
 * snapshot table limits: `count` copies of one entry whose L1 table is empty (so it references
 * nothing), with 16 bytes of extra data and an id and a name of the given lengths. The table's
 * clusters get refcount 1 and the header points at it, so the image breaks nothing but QEMU's limits
 * (64 MiB of table, 65536 snapshots). Needs 16-bit refcounts and one refcount block covering the
 * file (any image of qemu-img's defaults below 2 GiB).
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

export interface RepeatedSnapshots {
  count: number;
  idBytes: number;
  nameBytes: number;
}

/** Bytes of one entry of `s` without its padding: 40 fixed + 16 extra + id + name. */
export function snapshotEntryBytes(s: RepeatedSnapshots): number {
  return 40 + 16 + s.idBytes + s.nameBytes;
}

/** Appends the table at the first cluster past the end of `path`; returns its offset in bytes. */
export function appendRepeatedSnapshotTable(path: string, s: RepeatedSnapshots): number {
  const fd = openSync(path, 'r+');
  try {
    const header = Buffer.alloc(104);
    readSync(fd, header, 0, header.length, 0);
    const clusterSizeBytes = 2 ** header.readUInt32BE(20);
    if (header.readUInt32BE(96) !== 4) throw new Error('appendRepeatedSnapshotTable needs 16-bit refcounts');
    const tableOffsetBytes = Math.ceil(fstatSync(fd).size / clusterSizeBytes) * clusterSizeBytes;
    const entry = Buffer.alloc(Math.ceil(snapshotEntryBytes(s) / 8) * 8);
    entry.writeUInt16BE(s.idBytes, 12);
    entry.writeUInt16BE(s.nameBytes, 14);
    entry.writeUInt32BE(16, 36);
    entry.writeBigUInt64BE(header.readBigUInt64BE(24), 48);
    entry.fill('i', 56, 56 + s.idBytes);
    entry.fill('n', 56 + s.idBytes, 56 + s.idBytes + s.nameBytes);
    const perWrite = Math.max(1, Math.floor((1 << 22) / entry.length));
    for (let i = 0; i < s.count; i += perWrite) {
      const n = Math.min(perWrite, s.count - i);
      writeSync(fd, Buffer.concat(Array.from({ length: n }, () => entry)), 0, n * entry.length, tableOffsetBytes + i * entry.length);
    }
    const tableClusters = Math.ceil((s.count * entry.length) / clusterSizeBytes);
    const reftableOffsetBytes = Number(header.readBigUInt64BE(48));
    const refblock = Buffer.alloc(8);
    readSync(fd, refblock, 0, 8, reftableOffsetBytes);
    const refblockOffsetBytes = Number(refblock.readBigUInt64BE(0));
    const firstCluster = tableOffsetBytes / clusterSizeBytes;
    if ((firstCluster + tableClusters) * 2 > clusterSizeBytes) throw new Error('the table lies past the first refcount block');
    const ones = Buffer.alloc(tableClusters * 2);
    for (let k = 0; k < tableClusters; k++) ones.writeUInt16BE(1, k * 2);
    writeSync(fd, ones, 0, ones.length, refblockOffsetBytes + firstCluster * 2);
    const fields = Buffer.alloc(12);
    fields.writeUInt32BE(s.count, 0);
    fields.writeBigUInt64BE(BigInt(tableOffsetBytes), 4);
    writeSync(fd, fields, 0, 12, 60);
    // The table's last cluster is whole, as QEMU would leave it.
    writeSync(fd, Buffer.alloc(1), 0, 1, tableOffsetBytes + tableClusters * clusterSizeBytes - 1);
    return tableOffsetBytes;
  } finally {
    closeSync(fd);
  }
}
