import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import type { Geometry } from '../../../spec/format/geometry.js';
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
});
