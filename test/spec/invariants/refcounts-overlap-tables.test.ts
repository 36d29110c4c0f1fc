import { describe, expect, it } from 'vitest';
import { bitmapDirectoryFindings, bitmapTableEntryCountFor, bitmapTableEntryFindings, bitmapTailFindings } from '../../../spec/invariants/bitmaps.js';
import { beyondEndOfFile, sharedStructureFindings } from '../../../spec/invariants/overlap.js';
import { refblockRefcountFindings, refcountMismatchFinding, refcountMismatchKind, ReftableEntryState, reftableEntryState } from '../../../spec/invariants/refcounts.js';
import { snapshotTableSizeFindings } from '../../../spec/invariants/snapshots.js';
import { beyondQemuRequestRange } from '../../../spec/invariants/limits.js';

describe('refcounts (RC-1, RC-6, RC-7)', () => {
  it('reftable entries: reserved bits first, then alignment', () => {
    expect(reftableEntryState(0x20000, 16)).toBe(ReftableEntryState.ok);
    expect(reftableEntryState(0x20001, 16)).toBe(ReftableEntryState.reserved);
    expect(reftableEntryState(0x20201, 16)).toBe(ReftableEntryState.reserved);
    expect(reftableEntryState(0x20200, 16)).toBe(ReftableEntryState.unaligned);
    expect(reftableEntryState(0x20200, 9)).toBe(ReftableEntryState.ok);
  });
  it('fewer stored than referenced is a corruption, more a leak; refcount 0 asks for a rebuild', () => {
    expect(refcountMismatchKind(1, 2)).toBe('corruption');
    expect(refcountMismatchKind(2, 1)).toBe('leak');
    expect(refcountMismatchKind(3, 3)).toBeNull();
    expect(refcountMismatchFinding(5, 65536, 0, 1, 'L1[0] L2 entry 0')!.detail).toMatch(/refcount=0 reference=1.*rebuild.*referenced by L1\[0\] L2 entry 0/);
  });
  it('a refcount block is referenced exactly once', () => {
    expect(refblockRefcountFindings(0, 0x20000, 1)).toEqual([]);
    expect(refblockRefcountFindings(0, 0x20000, 2)[0].rule).toBe('RC-7');
  });
});

describe('extents (AL-2, AL-3, AL-4, QIMPL-IO-RANGE)', () => {
  it('a reference may end inside the cluster after the file end, not a whole cluster past it', () => {
    expect(beyondEndOfFile(0x30000, 0x10000, 0x40000 - 1, 0x10000)).toBe(false);
    expect(beyondEndOfFile(0x40000, 0x10000, 0x40000, 0x10000)).toBe(true);
    expect(beyondEndOfFile(0x40000 - 512, 0x10000, 0x40000, 0x10000)).toBe(false);
  });
  it('an unshareable cluster referenced twice names its structure (AL-3 for the header)', () => {
    expect(sharedStructureFindings('refcount table', 1, 65536, 1)).toEqual([]);
    expect(sharedStructureFindings('refcount table', 1, 65536, 2)[0].rule).toBe('AL-2');
    expect(sharedStructureFindings('header', 0, 65536, 2)[0].rule).toBe('AL-3');
  });
  it('QEMU reads nothing ending past 2^63 - 2^30', () => {
    expect(beyondQemuRequestRange(2n ** 63n - 2n ** 31n, 8n)).toBe(false);
    expect(beyondQemuRequestRange(2n ** 63n - 2n ** 30n, 8n)).toBe(true);
  });
});

describe('snapshot and bitmap tables (SN-1, BM-1, BM-3, BM-4)', () => {
  it('QIMPL-SN-TABLE: a table past 64 MiB, entries padded to 8', () => {
    expect(snapshotTableSizeFindings([40 + 65535 * 2], 0)).toEqual([]);
    expect(snapshotTableSizeFindings(Array(600).fill(131_112), 0x10000)[0].rule).toBe('QIMPL-SN-TABLE');
  });
  it('the bitmap directory holds exactly the declared entries, zero-padded', () => {
    const dir = new Uint8Array(32);
    new DataView(dir.buffer).setUint16(18, 2); // name of 2 bytes -> entry of 32 bytes
    expect(bitmapDirectoryFindings(dir, 0x10000, 1).decodable).toBe(true);
    expect(bitmapDirectoryFindings(dir, 0x10000, 2).decodable).toBe(false);
    dir[30] = 7;
    expect(bitmapDirectoryFindings(dir, 0x10000, 1).findings.map((f) => f.rule)).toEqual(['BM-1']);
    expect(bitmapDirectoryFindings(dir.subarray(0, 20), 0x10000, 1).decodable).toBe(false);
  });
  it('bitmap table entries and sizes', () => {
    expect(bitmapTableEntryFindings(0, 0x70000, 65536, 'e')).toEqual([]);
    expect(bitmapTableEntryFindings(0, 1, 65536, 'e')).toEqual([]); // all ones, no data cluster
    expect(bitmapTableEntryFindings(0, 0x70001, 65536, 'e')[0].rule).toBe('BM-3');
    expect(bitmapTableEntryFindings(0x01000000, 0, 65536, 'e')[0].rule).toBe('BM-3');
    expect(bitmapTableEntryCountFor(16 << 20, 16, 65536)).toBe(1);
    expect(bitmapTableEntryCountFor(2 ** 40, 16, 65536)).toBe(32);
    const last = new Uint8Array(16);
    expect(bitmapTailFindings(last, 12, 'e')).toEqual([]);
    last[1] = 0x10;
    expect(bitmapTailFindings(last, 12, 'e')[0].rule).toBe('BM-4');
  });
});
