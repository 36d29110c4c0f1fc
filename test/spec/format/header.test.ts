import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { isFormatError } from '../../../spec/format/format-error.js';
import { decodeHeader, encodeHeader } from '../../../spec/format/header.js';
import { encodeHeaderExtensions } from '../../../spec/format/header-extensions.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { qemuImgOk, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface Made {
  name: string;
  bytes: Uint8Array;
}
const made: Made[] = [];

beforeAll(async () => {
  const cases: [string, string[]][] = [
    ['v2', ['-o', 'compat=0.10']],
    ['v3', ['-o', 'compat=1.1']],
    ['v3-lazy-xl2', ['-o', 'compat=1.1,lazy_refcounts=on,extended_l2=on,cluster_size=64k']],
    ['v3-zstd-rc1', ['-o', 'compression_type=zstd,refcount_bits=1,cluster_size=4k']],
    ['v3-backing', ['-o', 'cluster_size=512', '-b', 'base.raw', '-F', 'raw']],
  ];
  await qemuImgOk(['create', '-f', 'raw', tmp.path('base.raw'), '1M']);
  for (const [name, opts] of cases) {
    const path = tmp.path(name + '.qcow2');
    await qemuImgOk(['create', '-f', 'qcow2', ...opts, path, '1M'], tmp.dir);
    made.push({ name, bytes: new Uint8Array(readFileSync(path)) });
  }
});

describe('header codec on images made by qemu-img', () => {
  it('decodes then encodes the header to the same bytes (HDR-4, HDR-13)', () => {
    for (const { name, bytes } of made) {
      const header = decodeHeader(bytes);
      const encoded = encodeHeader(header);
      expect(Buffer.from(encoded).equals(Buffer.from(bytes.subarray(0, encoded.length))), name).toBe(true);
    }
  });

  it('reads the fields qemu-img set', () => {
    const byName = new Map(made.map((m) => [m.name, readImageMeta(bytesSource(m.bytes))]));
    expect(byName.get('v2')!.header.version).toBe(2);
    expect(byName.get('v2')!.header.headerLengthBytes).toBe(72);
    const xl2 = byName.get('v3-lazy-xl2')!;
    expect(xl2.geometry.extendedL2).toBe(true);
    expect(xl2.geometry.l2EntryCount).toBe(4096);
    expect(xl2.geometry.subclusterSizeBytes).toBe(2048);
    expect(xl2.header.compatibleFeatures & 1n).toBe(1n);
    const zstd = byName.get('v3-zstd-rc1')!;
    expect(zstd.header.compressionType).toBe(1);
    expect(zstd.geometry.refcountBits).toBe(1);
    expect(zstd.geometry.refblockEntryCount).toBe(4096 * 8);
    const backed = byName.get('v3-backing')!;
    expect(backed.backingFileName).toBe('base.raw');
    expect(backed.extensions.backingFormat).toBe('raw');
    expect(backed.geometry.clusterSizeBytes).toBe(512);
    expect(byName.get('v3')!.extensions.featureNames.some((f) => f.name === 'dirty bit' && f.kind === 0 && f.bit === 0)).toBe(true);
  });
});

describe('header decoding refuses what is not a qcow2 header', () => {
  it('names HDR-1 for a wrong magic and HDR-4 for a truncated header', () => {
    const bad = made[1].bytes.slice(0, 200);
    bad[0] = 0;
    expect(() => decodeHeader(bad)).toThrowError(/HDR-1/);
    expect(() => decodeHeader(made[1].bytes.slice(0, 80))).toThrowError(/HDR-4/);
    try {
      decodeHeader(made[1].bytes.slice(0, 80));
    } catch (err) {
      expect(isFormatError(err) && err.rule).toBe('HDR-4');
    }
  });

  it('names EXT-1 for an extension record running past cluster 0', () => {
    const bytes = made[1].bytes.slice(0, 65536);
    const rec = encodeHeaderExtensions([{ type: 0x12345678, data: new Uint8Array(8) }]);
    new DataView(rec.buffer).setUint32(4, 70000);
    bytes.set(rec, decodeHeader(bytes).headerLengthBytes);
    expect(() => readImageMeta(bytesSource(bytes))).toThrowError(/EXT-1/);
  });

  it('keeps unknown extensions with their bytes (EXT-2)', () => {
    const bytes = made[1].bytes.slice(0, 65536);
    const data = new Uint8Array([1, 2, 3, 4, 5]);
    bytes.set(encodeHeaderExtensions([{ type: 0x7e57da7a, data }]), decodeHeader(bytes).headerLengthBytes);
    const meta = readImageMeta(bytesSource(bytes));
    expect(meta.extensions.unknown).toHaveLength(1);
    expect([...meta.extensions.unknown[0].data]).toEqual([1, 2, 3, 4, 5]);
  });
});
