import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader, type Header } from '../../../spec/format/header.js';
import { featureFindings } from '../../../spec/invariants/features.js';
import * as hdr from '../../../spec/invariants/header.js';

/** A sound v3 header: 64 KiB clusters, 16 MiB disk, tables in clusters 1..3. */
function header(over: Partial<Header> = {}): Header {
  return {
    version: 3, backingFileOffset: 0n, backingFileNameBytes: 0, clusterBits: 16, sizeBytes: 16n << 20n, cryptMethod: 0,
    l1EntryCount: 1, l1TableOffset: 0x30000n, refcountTableOffset: 0x10000n, refcountTableClusters: 1, snapshotCount: 0,
    snapshotsOffset: 0n, incompatibleFeatures: 0n, compatibleFeatures: 0n, autoclearFeatures: 0n, refcountOrder: 4,
    headerLengthBytes: 112, compressionType: 0, additionalFields: new Uint8Array(7), ...over,
  };
}
const rules = (fs: readonly { rule: string; kind: string }[]) => fs.map((f) => `${f.rule}/${f.kind}`);

describe('header invariants (HDR-*, GEN-1)', () => {
  it('a sound header has no findings, and survives encode/decode', () => {
    expect(hdr.headerFindings(decodeHeader(encodeHeader(header())), false)).toEqual([]);
  });

  it('GEN-1 / HDR-1: a byte-swapped magic names endianness, another magic names HDR-1', () => {
    expect(rules(hdr.magicFindings(new Uint8Array([0xfb, 0x49, 0x46, 0x51])))).toEqual(['GEN-1/check-error']);
    expect(rules(hdr.magicFindings(new Uint8Array([0, 0, 0, 0])))).toEqual(['HDR-1/check-error']);
    expect(hdr.magicFindings(new Uint8Array([0x51, 0x46, 0x49, 0xfb]))).toEqual([]);
  });

  it.each([
    [{ version: 4 }, 'HDR-2/check-error'],
    [{ clusterBits: 8 }, 'HDR-3/check-error'],
    [{ clusterBits: 22 }, 'QIMPL-CLUSTER-BITS/check-error'],
    [{ clusterBits: 13, incompatibleFeatures: 1n << 4n }, 'HDR-3/check-error'],
    [{ headerLengthBytes: 100 }, 'HDR-4/check-error'],
    [{ headerLengthBytes: 108 }, 'HDR-4/check-error'],
    [{ backingFileOffset: 0x200n, backingFileNameBytes: 2000 }, 'HDR-5/check-error'],
    [{ backingFileOffset: 0x20000n, backingFileNameBytes: 4 }, 'QIMPL-BACKING-NAME/check-error'],
    [{ cryptMethod: 3 }, 'HDR-6/check-error'],
    [{ cryptMethod: 2 }, 'HDR-6/check-error'],
    [{ l1TableOffset: 0x30200n }, 'HDR-7/check-error'],
    [{ refcountTableOffset: (1n << 63n) - 0x10000n + 0x10000n }, 'HDR-7/check-error'],
    [{ sizeBytes: 1n << 40n }, 'HDR-8/check-error'],
    [{ l1EntryCount: 2 ** 22 + 1 }, 'QIMPL-L1-SIZE/check-error'],
    [{ refcountTableClusters: 0 }, 'HDR-9/corruption'],
    [{ refcountTableClusters: 129 }, 'QIMPL-REFTABLE-SIZE/check-error'],
    [{ snapshotCount: 65537 }, 'QIMPL-SNAPSHOT-COUNT/check-error'],
    [{ refcountOrder: 7 }, 'HDR-11/check-error'],
    [{ compressionType: 1 }, 'HDR-13/check-error'],
    [{ incompatibleFeatures: 1n << 3n }, 'HDR-13/check-error'],
    [{ compressionType: 2, incompatibleFeatures: 1n << 3n }, 'HDR-13/check-error'],
    [{ additionalFields: new Uint8Array([0, 1, 0, 0, 0, 0, 0]) }, 'HDR-13/corruption'],
  ])('%# breaks %s', (over, expected) => {
    expect(rules(hdr.headerFindings(header(over as Partial<Header>), false))).toContain(expected);
  });

  it('HDR-5: a backing file name that starts inside the header is a corruption, one after it or empty is not', () => {
    const where = (over: Partial<Header>) => hdr.backingFileFindings(header(over)).map((f) => `${f.rule}/${f.kind}/${f.detail}`);
    expect(where({ backingFileOffset: 0x64n, backingFileNameBytes: 4 })).toEqual(['HDR-5/corruption/backing file name at 0x64 (+4) starts inside the header, which ends at 0x70']);
    expect(where({ version: 2, headerLengthBytes: 72, backingFileOffset: 0x40n, backingFileNameBytes: 4 })).toEqual(['HDR-5/corruption/backing file name at 0x40 (+4) starts inside the header, which ends at 0x48']);
    expect(where({ backingFileOffset: 0x70n, backingFileNameBytes: 4 })).toEqual([]);
    expect(where({ backingFileOffset: 0x64n, backingFileNameBytes: 0 })).toEqual([]);
  });

  it('HDR-12: a virtual size past 2^53 is a crashcow limit (qimpl class)', () => {
    const f = hdr.virtualSizeFindings(header({ sizeBytes: 1n << 60n }));
    expect(f.map((x) => [x.rule, x.class])).toEqual([['CRASHCOW-SIZE', 'qimpl']]);
  });
});

describe('feature invariants (FEAT-*)', () => {
  const ext = { all: [], featureNames: [], unknown: [], endOffsetBytes: 112 };
  it.each([
    [{ incompatibleFeatures: 1n }, 'FEAT-1/info'],
    [{ incompatibleFeatures: 2n }, 'FEAT-2/info'],
    [{ incompatibleFeatures: 1n << 9n }, 'FEAT-6/check-error'],
    [{ compatibleFeatures: 4n }, 'FEAT-7/info'],
    [{ autoclearFeatures: 1n }, 'FEAT-8/corruption'],
    [{ autoclearFeatures: 2n }, 'FEAT-9/check-error'],
    [{ autoclearFeatures: 1n << 7n }, 'FEAT-10/info'],
  ])('%# gives %s', (over, expected) => {
    expect(rules(featureFindings(header(over as Partial<Header>), ext))).toEqual([expected]);
  });
});
