import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource, readPadded } from '../../../spec/format/byte-source.js';
import { decodeCompressedDescriptor, encodeCompressedDescriptor } from '../../../spec/format/compressed-descriptor.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { decodeL1Entry } from '../../../spec/format/l1-entry.js';
import { ClusterType, clusterTypeOf, l2HostOffsetBytes } from '../../../spec/format/l2-entry.js';
import { getRefcount, setRefcount } from '../../../spec/format/refcount-block.js';
import { decodeRefcountTableEntry } from '../../../spec/format/refcount-table-entry.js';
import { decodeSnapshotTable, encodeSnapshotTable } from '../../../spec/format/snapshot-table.js';
import { TableView } from '../../../spec/format/table-view.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function load(path: string) {
  const bytes = new Uint8Array(readFileSync(path));
  return { bytes, meta: readImageMeta(bytesSource(bytes)) };
}

/** The L2 entry (halves) of guest cluster `clusterIndex` in an image with one L2 table. */
function l2EntryOf(bytes: Uint8Array, clusterIndex: number) {
  const meta = readImageMeta(bytesSource(bytes));
  const l1 = new TableView(bytes.subarray(Number(meta.header.l1TableOffset)));
  const l2Offset = decodeL1Entry(l1.hi(0), l1.lo(0)).l2OffsetBytes;
  const l2 = new TableView(bytes.subarray(l2Offset, l2Offset + meta.geometry.clusterSizeBytes));
  const word = clusterIndex * (meta.geometry.l2EntrySizeBytes / 8);
  return { hi: l2.hi(word), lo: l2.lo(word), meta };
}

describe('refcount blocks (RC-2, RC-3)', () => {
  it.each([1, 2, 4, 8, 16, 32, 64])('reads qemu-img refcounts at refcount_bits=%i', async (bits) => {
    const path = tmp.path(`rc${bits}.qcow2`);
    await qemuImgOk(['create', '-f', 'qcow2', '-o', `refcount_bits=${bits},cluster_size=4k`, path, '1M']);
    await qemuIo(path, ['write -P 0x5a 0 12k']);
    const { bytes, meta } = load(path);
    const reftable = new TableView(bytes.subarray(Number(meta.header.refcountTableOffset)));
    const entry = decodeRefcountTableEntry(reftable.hi(0), reftable.lo(0));
    expect(entry.reservedBitsSet).toBe(false);
    const block = bytes.subarray(entry.refblockOffsetBytes, entry.refblockOffsetBytes + 4096);
    const fileClusterCount = bytes.length / 4096;
    for (let i = 0; i < fileClusterCount; i++) expect(getRefcount(block, i, meta.geometry.refcountOrder), `cluster ${i}`).toBe(1);
    expect(getRefcount(block, fileClusterCount, meta.geometry.refcountOrder)).toBe(0);
  });

  it('set then get returns the value and leaves neighbours alone, for every width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 511 }), fc.nat(), (order, index, raw) => {
        const max = order === 6 ? Number.MAX_SAFE_INTEGER : 2 ** (2 ** order) - 1;
        const value = raw % (max + 1);
        const block = new Uint8Array(4096).fill(0xa5);
        const before = [index - 1, index + 1].filter((i) => i >= 0).map((i) => getRefcount(block, i, order));
        setRefcount(block, index, order, value);
        expect(getRefcount(block, index, order)).toBe(value);
        const after = [index - 1, index + 1].filter((i) => i >= 0).map((i) => getRefcount(block, i, order));
        expect(after).toEqual(before);
      }),
      { seed: 1, numRuns: 500 },
    );
  });
});

describe('L2 entries and compressed descriptors (L2-4, CMP-1, CMP-2)', () => {
  it('classifies normal, zero and unallocated clusters qemu-io wrote', async () => {
    const path = tmp.path('types.qcow2');
    await qemuImgOk(['create', '-f', 'qcow2', '-o', 'cluster_size=64k', path, '4M']);
    await qemuIo(path, ['write -P 0x11 0 64k', 'write -z 64k 64k', 'write -P 0x22 128k 64k', 'write -z 128k 64k']);
    const bytes = new Uint8Array(readFileSync(path));
    const types = [0, 1, 2, 3].map((i) => {
      const { hi, lo } = l2EntryOf(bytes, i);
      return clusterTypeOf(hi, lo, false, false);
    });
    expect(types).toEqual([ClusterType.normal, ClusterType.zeroPlain, ClusterType.zeroAlloc, ClusterType.unallocated]);
    const first = l2EntryOf(bytes, 0);
    const host = l2HostOffsetBytes(first.hi, first.lo);
    expect(bytes.subarray(host, host + 65536).every((b) => b === 0x11)).toBe(true);
  });

  it.each([512, 4096, 65536, 2 * 1024 * 1024])('decodes compressed clusters qemu-img wrote (cluster size %i)', async (clusterSize) => {
    const raw = tmp.path(`plain-${clusterSize}.raw`);
    const data = new Uint8Array(clusterSize * 2);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
    writeFileSync(raw, data);
    const path = tmp.path(`comp-${clusterSize}.qcow2`);
    await qemuImgOk(['convert', '-c', '-f', 'raw', '-O', 'qcow2', '-o', `cluster_size=${clusterSize}`, raw, path]);
    const bytes = new Uint8Array(readFileSync(path));
    const { hi, lo, meta } = l2EntryOf(bytes, 1);
    expect(clusterTypeOf(hi, lo, false, false)).toBe(ClusterType.compressed);
    const desc = decodeCompressedDescriptor(hi, lo, meta.geometry.clusterBits);
    const stream = bytes.subarray(desc.hostOffsetBytes, desc.hostOffsetBytes + desc.sizeBytes);
    const out = inflateRawSync(stream, { finishFlush: 2 /* Z_SYNC_FLUSH: the tail may hold another stream */ });
    expect(Buffer.from(out.subarray(0, clusterSize)).equals(Buffer.from(data.subarray(clusterSize)))).toBe(true);
    const reencoded = encodeCompressedDescriptor(desc.hostOffsetBytes, desc.sizeBytes, meta.geometry.clusterBits);
    expect(reencoded).toBe((BigInt(hi) << 32n) | BigInt(lo >>> 0));
  });
});

describe('snapshot table (SN-1..SN-3)', () => {
  it('decodes and re-encodes the table qemu-img wrote byte for byte', async () => {
    const path = tmp.path('snap.qcow2');
    await qemuImgOk(['create', '-f', 'qcow2', path, '4M']);
    await qemuIo(path, ['write -P 0x33 0 64k']);
    await qemuImgOk(['snapshot', '-c', 'first', path]);
    await qemuImgOk(['snapshot', '-c', 'second-with-a-longer-name', path]);
    const { bytes, meta } = load(path);
    const entries = decodeSnapshotTable(bytesSource(bytes), Number(meta.header.snapshotsOffset), meta.header.snapshotCount);
    expect(entries.map((e) => e.name)).toEqual(['first', 'second-with-a-longer-name']);
    expect(entries.map((e) => e.id)).toEqual(['1', '2']);
    expect(entries[0].diskSizeBytes).toBe(4n * 1024n * 1024n);
    expect(entries[0].extraData.length).toBe(24);
    const table = encodeSnapshotTable(entries);
    // qemu-img does not write the last entry's padding: the file ends after the name, and the
    // missing bytes read as zeros.
    const onDisk = readPadded(bytesSource(bytes), Number(meta.header.snapshotsOffset), table.length);
    expect(Buffer.from(table).equals(Buffer.from(onDisk))).toBe(true);
  });

  it('names the rule when the table runs past the end of the file', () => {
    const bytes = new Uint8Array(100);
    expect(() => decodeSnapshotTable(bytesSource(bytes), 80, 1)).toThrowError(/SN-1/);
    expect(() => decodeSnapshotTable(bytesSource(bytes), 0, 70000)).toThrowError(/HDR-10/);
  });
});
