import { describe, expect, it } from 'vitest';
import { bytesSource, type ByteSource } from '../../../spec/format/byte-source.js';
import type { Geometry } from '../../../spec/format/geometry.js';
import { limits } from '../../../spec/format/limits.js';
import { decodeSnapshotTable, encodeSnapshotTable, type SnapshotEntry } from '../../../spec/format/snapshot-table.js';
import { salvageSnapshots } from '../../../src/repair/snapshot-salvage.js';

const CS = 65536;
const ctx = { version: 3, clusterSizeBytes: CS, l2CoverageBytes: CS * 8192, externalDataFile: false, refcountBits: 16 };
/** The geometry of a 64 KiB-cluster image with 16-bit refcounts and a `virtualSizeBytes` disk. */
const geometry = (virtualSizeBytes: number): Geometry => ({
  clusterBits: 16,
  clusterSizeBytes: CS,
  extendedL2: false,
  l2EntrySizeBytes: 8,
  l2EntryCount: CS / 8,
  l2CoverageBytes: CS * 8192,
  subclusterSizeBytes: CS,
  refcountOrder: 4,
  refcountBits: 16,
  refblockEntryCount: CS / 2,
  refcountMax: 65535,
  virtualSizeBytes,
});
const entry = (id: string, l1Offset: bigint, extraBytes = 24): Omit<SnapshotEntry, 'entryOffsetBytes' | 'entrySizeBytes'> => ({
  l1TableOffset: l1Offset,
  l1EntryCount: 1,
  id,
  name: `snap ${id}`,
  dateSeconds: 1,
  dateNanoseconds: 2,
  vmClockNanoseconds: 3n,
  vmStateSize32: 0,
  extraData: new Uint8Array(extraBytes),
});

/** A 4-cluster file with the table at cluster 2 and L1 tables at cluster 1. */
function file(table: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 * CS);
  out.set(table, 2 * CS);
  return out;
}

describe('salvageSnapshots', () => {
  it('keeps sound entries byte for byte and changes nothing', () => {
    const table = encodeSnapshotTable([entry('1', BigInt(CS)), entry('2', BigInt(CS))]);
    const s = salvageSnapshots(bytesSource(file(table)), BigInt(2 * CS), 2, ctx, geometry(1 << 24));
    expect(s.changed).toBe(false);
    expect(s.kept.map((k) => k.originalIndex)).toEqual([0, 1]);
    expect(Buffer.concat(s.kept.map((k) => k.raw)).equals(Buffer.from(table))).toBe(true);
  });

  it('drops an entry with an unaligned L1 table (SN-4) and the all-zero entries past the real end', () => {
    const table = encodeSnapshotTable([entry('1', BigInt(CS) + 512n), entry('2', BigInt(CS))]);
    const s = salvageSnapshots(bytesSource(file(table)), BigInt(2 * CS), 7, ctx, geometry(1 << 24));
    expect(s.kept.map((k) => k.originalIndex)).toEqual([1]);
    expect(s.records.map((r) => [r.action, r.rule, r.count])).toEqual([['snapshot-dropped', 'SN-4', 1], ['snapshot-dropped', 'SN-1', 5]]);
  });

  it('gives a v3 entry without enough extra data vm_state_size_large and disk_size (SN-3)', () => {
    const table = encodeSnapshotTable([entry('1', BigInt(CS), 0)]);
    const s = salvageSnapshots(bytesSource(file(table)), BigInt(2 * CS), 1, ctx, geometry(12345));
    const fixed = decodeSnapshotTable(bytesSource(s.kept[0].raw), 0, 1)[0];
    expect(fixed.extraData.length).toBe(16);
    expect(fixed.diskSizeBytes).toBe(12345n);
    expect([fixed.id, fixed.name]).toEqual(['1', 'snap 1']);
  });

  it('drops everything when the table offset is unaligned or past the end of the file', () => {
    const table = encodeSnapshotTable([entry('1', BigInt(CS))]);
    expect(salvageSnapshots(bytesSource(file(table)), BigInt(2 * CS + 512), 1, ctx, geometry(1)).kept).toEqual([]);
    expect(salvageSnapshots(bytesSource(file(table)), BigInt(100 * CS), 1, ctx, geometry(1)).kept).toEqual([]);
  });

  describe('QEMU\'s limits on the table (QIMPL-SN-TABLE, QIMPL-SNAPSHOT-COUNT)', () => {
    const TABLE = 2 * CS;
    /** Rule and count of each drop record. */
    const drops = (s: ReturnType<typeof salvageSnapshots>) => s.records.filter((r) => r.action === 'snapshot-dropped').map((r) => [r.rule, r.count]);

    it('drops the entries that end past 64 MiB as stored, and keeps the table below the limit', () => {
      const s = salvageSnapshots(repeatedEntries(TABLE, 512, 16, 65535, 65535), BigInt(TABLE), 512, ctx, geometry(1 << 26));
      expect(s.kept.length).toBe(511);
      expect(drops(s)).toEqual([['QIMPL-SN-TABLE', 1]]);
      expect(s.records[0].detail).toMatch(/^1 snapshot entries dropped: .* holds 67137534 bytes, past QEMU's limit of 67108864$/);
      expect(rewrittenEndBytes(s)).toBeLessThanOrEqual(limits.snapshotTableSizeBytesMax);
    });

    it('keeps a table that ends exactly at 64 MiB as stored', () => {
      const s = salvageSnapshots(repeatedEntries(TABLE, 512, 16, 65535, 65481), BigInt(TABLE), 512, ctx, geometry(1 << 26));
      expect([s.kept.length, s.changed]).toEqual([512, false]);
    });

    it('drops an entry that fits as stored but not once its extra data is fixed (SN-3 adds 16 bytes)', () => {
      const s = salvageSnapshots(repeatedEntries(TABLE, 512, 0, 65535, 65497), BigInt(TABLE), 512, ctx, geometry(1 << 26));
      expect(s.kept.length).toBe(511);
      expect(drops(s)).toEqual([['QIMPL-SN-TABLE', 1]]);
      expect(s.records.find((r) => r.action === 'snapshot-dropped')?.detail).toContain('(as rewritten)');
      expect(s.records.filter((r) => r.rule === 'SN-3').length).toBe(511);
      expect(rewrittenEndBytes(s)).toBeLessThanOrEqual(limits.snapshotTableSizeBytesMax);
    });

    it('drops the snapshots past QEMU\'s 65536', () => {
      const s = salvageSnapshots(repeatedEntries(TABLE, 65537, 16, 1, 1), BigInt(TABLE), 65537, ctx, geometry(1 << 26));
      expect(s.kept.length).toBe(65536);
      expect(drops(s)).toEqual([['QIMPL-SNAPSHOT-COUNT', 1]]);
    });
  });
});

/** Bytes of the table the salvage would write: its entries padded, the last one without its padding. */
function rewrittenEndBytes(s: ReturnType<typeof salvageSnapshots>): number {
  const raws = s.kept.map((k) => k.raw);
  const last = new DataView(raws[raws.length - 1].buffer, raws[raws.length - 1].byteOffset);
  const lastUnpadded = 40 + last.getUint32(36) + last.getUint16(12) + last.getUint16(14);
  return raws.slice(0, -1).reduce((n, r) => n + r.length, 0) + lastUnpadded;
}

/**
 * A file whose snapshot table at `tableOffset` holds `count` copies of one entry with an empty L1
 * table, `extraBytes` of extra data, and an id and a name of the given lengths. Made on demand, so
 * a table past 64 MiB costs no memory of that size.
 */
function repeatedEntries(tableOffset: number, count: number, extraBytes: number, idBytes: number, nameBytes: number): ByteSource {
  const unpadded = 40 + extraBytes + idBytes + nameBytes;
  const entry = new Uint8Array(Math.ceil(unpadded / 8) * 8);
  const view = new DataView(entry.buffer);
  view.setUint16(12, idBytes);
  view.setUint16(14, nameBytes);
  view.setUint32(36, extraBytes);
  if (extraBytes >= 16) view.setBigUint64(48, 1n << 26n);
  entry.fill(0x69, 40 + extraBytes, 40 + extraBytes + idBytes);
  entry.fill(0x6e, 40 + extraBytes + idBytes, unpadded);
  const sizeBytes = tableOffset + entry.length * count;
  return {
    sizeBytes,
    read(offsetBytes: number, lengthBytes: number): Uint8Array {
      const out = new Uint8Array(Math.max(0, Math.min(lengthBytes, sizeBytes - offsetBytes)));
      let i = Math.max(0, tableOffset - offsetBytes);
      while (i < out.length) {
        const at = (offsetBytes + i - tableOffset) % entry.length;
        const piece = entry.subarray(at, Math.min(entry.length, at + out.length - i));
        out.set(piece, i);
        i += piece.length;
      }
      return out;
    },
  };
}
