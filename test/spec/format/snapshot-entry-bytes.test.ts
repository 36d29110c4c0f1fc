import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { decodeSnapshotTable, encodeSnapshotTable, joinSnapshotEntries, withSnapshotL1TableOffset } from '../../../spec/format/snapshot-table.js';

const entry = (id: string, l1TableOffset: bigint) => ({
  l1TableOffset,
  l1EntryCount: 2,
  id,
  name: `snapshot ${id}`,
  dateSeconds: 7,
  dateNanoseconds: 8,
  vmClockNanoseconds: 9n,
  vmStateSize32: 0,
  extraData: new Uint8Array(16).fill(3),
});

describe('snapshot entries as bytes', () => {
  it('sets the L1 table offset of one encoded entry and keeps every other byte, even invalid UTF-8', () => {
    const raw = encodeSnapshotTable([entry('1', 0x10000n)]);
    raw[40 + 16] = 0xff;
    const moved = withSnapshotL1TableOffset(raw, 0x7_0000_0000);
    expect(decodeSnapshotTable(bytesSource(moved), 0, 1)[0].l1TableOffset).toBe(0x7_0000_0000n);
    expect(Buffer.from(moved.subarray(8)).equals(Buffer.from(raw.subarray(8)))).toBe(true);
    expect(decodeSnapshotTable(bytesSource(raw), 0, 1)[0].l1TableOffset).toBe(0x10000n);
  });

  it('joins encoded entries into the table encodeSnapshotTable makes', () => {
    const a = encodeSnapshotTable([entry('1', 0x10000n)]);
    const b = encodeSnapshotTable([entry('22', 0x20000n)]);
    expect(Buffer.from(joinSnapshotEntries([a, b])).equals(Buffer.from(encodeSnapshotTable([entry('1', 0x10000n), entry('22', 0x20000n)])))).toBe(true);
    expect(joinSnapshotEntries([]).length).toBe(0);
  });
});
