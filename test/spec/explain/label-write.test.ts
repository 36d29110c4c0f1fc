/**
 * spec/explain: a write told against the layout of synthetic images built with the spec/format
 * encoders (512-byte clusters, v3, 16-bit refcounts): header fields by name, L1 entries, L2 entries
 * with their guest range, refcount block entries by host cluster, data by guest range, and a write
 * past the end of the file, named by a layout from later in the epoch.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { encodeHeader, type Header } from '../../../spec/format/header.js';
import { encodeL1Entry } from '../../../spec/format/l1-entry.js';
import { encodeL2Entry } from '../../../spec/format/l2-entry.js';
import { setRefcount } from '../../../spec/format/refcount-block.js';
import { encodeRefcountTableEntry } from '../../../spec/format/refcount-table-entry.js';
import { imageLayout } from '../../../spec/explain/image-layout.js';
import { labelWrite } from '../../../spec/explain/label-write.js';
import { shortLabel } from '../../../spec/explain/short-label.js';
import { witnessPlaces } from '../../../spec/explain/witness-places.js';

const CLUSTER = 512;
const REFTABLE = 0x200;
const REFBLOCK = 0x400;
const L1 = 0x600;
const L2 = 0x800;
const DATA = 0xa00;
/** 512-byte clusters: one L2 table maps 64 clusters, 32 KiB of guest space. */
const L2_COVERAGE = 64 * CLUSTER;

function header(overrides: Partial<Header> = {}): Header {
  return {
    version: 3, backingFileOffset: 0n, backingFileNameBytes: 0, clusterBits: 9, sizeBytes: 1n << 20n, cryptMethod: 0,
    l1EntryCount: 32, l1TableOffset: BigInt(L1), refcountTableOffset: BigInt(REFTABLE), refcountTableClusters: 1,
    snapshotCount: 0, snapshotsOffset: 0n, incompatibleFeatures: 0n, compatibleFeatures: 0n, autoclearFeatures: 0n,
    refcountOrder: 4, headerLengthBytes: 112, compressionType: 0, additionalFields: new Uint8Array(7), ...overrides,
  };
}

const setWord = (img: Uint8Array, at: number, v: bigint): void => new DataView(img.buffer).setBigUint64(at, v);

/** Header, refcount table and block, L1[1] -> L2 at 0x800, whose entry 0 maps the data cluster at 0xa00. */
function baseImage(): Uint8Array {
  const img = new Uint8Array(DATA + CLUSTER);
  img.set(encodeHeader(header()), 0);
  setWord(img, REFTABLE, encodeRefcountTableEntry(REFBLOCK));
  const block = img.subarray(REFBLOCK, REFBLOCK + CLUSTER);
  for (let k = 0; k < 6; k++) setRefcount(block, k, 4, 1);
  setWord(img, L1 + 8, encodeL1Entry(L2, true));
  setWord(img, L2, encodeL2Entry({ hostOffsetBytes: DATA, copied: true }));
  return img;
}

/** Labels a write of `data` at `at` over `before`, with the layouts after and before it. */
function label(before: Uint8Array, at: number, data: Uint8Array, later: Uint8Array[] = []) {
  const after = new Uint8Array(Math.max(before.length, at + data.length));
  after.set(before);
  after.set(data, at);
  const layouts = [after, ...later, before].map((b) => imageLayout(bytesSource(b)));
  return labelWrite({ before: bytesSource(before), after: bytesSource(after), fromBytes: at, toBytes: at + data.length, layouts });
}

describe('labelWrite', () => {
  it('names header fields that changed, by their qcow2 names, with the dirty bit', () => {
    const before = baseImage();
    const [l] = label(before, 0, encodeHeader(header({ incompatibleFeatures: 1n })));
    expect(l.kind).toBe('header');
    expect(l.fields).toEqual([{ name: 'incompatible_features', before: '0x0', after: '0x1 (dirty)' }]);
    expect(l.text).toBe('header: incompatible_features 0x0 -> 0x1 (dirty)');
  });

  it('names L1 entries by index with the L2 table each points at', () => {
    const before = baseImage();
    const entries = new Uint8Array(16);
    setWord(entries, 0, encodeL1Entry(0xc00, true));
    setWord(entries, 8, encodeL1Entry(0xe00, false));
    const [l] = label(before, L1 + 2 * 8, entries);
    expect(l).toMatchObject({ kind: 'l1-entries', firstEntryIndex: 2, lastEntryIndex: 3, snapshotIndex: -1, changed: true });
    expect(l.text).toBe('L1 entries 2..3: [2] none -> L2 @0xc00 COPIED; [3] none -> L2 @0xe00');
  });

  it('names L2 entries with the guest range their L1 index and entry index map', () => {
    const before = baseImage();
    const entry = new Uint8Array(8);
    setWord(entry, 0, encodeL2Entry({ hostOffsetBytes: 0x1000, copied: true }));
    const [l] = label(before, L2 + 3 * 8, entry);
    const guest = L2_COVERAGE + 3 * CLUSTER;
    expect(l).toMatchObject({ kind: 'l2-entries', structureOffsetBytes: L2, firstEntryIndex: 3, lastEntryIndex: 3, guestFromBytes: guest, guestToBytes: guest + CLUSTER });
    expect(l.text).toBe('L2 table at 0x800 entry 3 (guest range 0x8600-0x87ff): [3] unallocated -> 0x1000 COPIED');
    expect(shortLabel([l])).toBe('L2 entry 3');
  });

  it('names refcount block entries by the host clusters they count', () => {
    const before = baseImage();
    const [l] = label(before, REFBLOCK + 6 * 2, new Uint8Array([0, 1, 0, 1]));
    expect(l).toMatchObject({ kind: 'refcount-block', structureOffsetBytes: REFBLOCK, firstHostCluster: 6, lastHostCluster: 7 });
    expect(l.text).toBe('refcount block at 0x400 (host clusters 0..255): clusters 6..7: [6] refcount 0 -> 1; [7] refcount 0 -> 1');
  });

  it('names data by the guest range the L2 entry maps it to', () => {
    const before = baseImage();
    const [l] = label(before, DATA + 0x100, new Uint8Array(0x100).fill(7));
    expect(l).toMatchObject({ kind: 'data', guestFromBytes: L2_COVERAGE + 0x100, guestToBytes: L2_COVERAGE + 0x200, changed: true });
    expect(l.text).toBe('data of guest range 0x8100-0x81ff');
  });

  it('names a write past the end as a file extension, and what a later layout makes of it', () => {
    const before = baseImage();
    const later = baseImage();
    const grown = new Uint8Array(0xe00);
    grown.set(later);
    setWord(grown, L1 + 16, encodeL1Entry(0xc00, true));
    const labels = label(before, 0xc00, new Uint8Array(CLUSTER), [grown]);
    expect(labels.map((l) => l.kind)).toEqual(['l2-entries', 'file-extension']);
    expect(labels[1]).toMatchObject({ fromBytes: 0xc00, toBytes: 0xe00 });
    expect(labels[0].text).toBe('L2 table at 0xc00 entries 0..63 (guest range 0x10000-0x17fff) (unchanged)');
    expect(shortLabel(labels)).toBe('file extension');
  });

  it('says when a write puts back the bytes that were there', () => {
    const before = baseImage();
    const [l] = label(before, L2, before.slice(L2, L2 + 8));
    expect(l).toMatchObject({ kind: 'l2-entries', changed: false });
    expect(l.text).toContain('(unchanged)');
  });

  it('tells a header with its magic torn away by raw bytes, never throwing', () => {
    const before = baseImage();
    const labels = label(before, 0, new Uint8Array(4));
    expect(labels[0].fields).toEqual([{ name: 'magic', before: '0x514649fb', after: '0x00000000' }]);
  });
});

describe('witnessPlaces', () => {
  it('gives the entry at fault and the range it references as host bytes', () => {
    const p = witnessPlaces({ table: 'l2', tableOffsetBytes: 0xc00, entryIndex: 2, referencedOffsetBytes: 0xe00, referencedSizeBytes: 512 }, 512, 8);
    expect(p).toEqual({ entry: { fromBytes: 0xc10, toBytes: 0xc18 }, referenced: { fromBytes: 0xe00, toBytes: 0x1000 }, text: 'L2 @0xc00 entry 2 -> 0xe00 (512 bytes)' });
  });
});
