/**
 * Compressed-cluster streams (CMP-2, CMP-4): deflate and zstd, well-formed, multi-frame, with
 * trailing bytes, and hostile (overlong, truncated, huge windows, garbage). Every failure must be a
 * FormatError naming CMP-4, never an exception from the codec or a huge allocation.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isFormatError } from '../../../spec/format/format-error.js';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { readCompressedCluster } from '../../../spec/semantics/compressed-cluster.js';
import { inflateCluster } from '../../../spec/semantics/inflate-cluster.js';
import { zstdCluster, ZSTD_WINDOW_BYTES_MAX } from '../../../spec/semantics/zstd-cluster.js';

const CLUSTER = 65536;

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed + (i >> 7)) & 0xff;
  return out;
}

function expectCmp4(fn: () => unknown, detail: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isFormatError(caught), String(caught)).toBe(true);
  expect((caught as { rule: string }).rule).toBe('CMP-4');
  expect((caught as Error).message).toMatch(detail);
}

describe('deflate clusters', () => {
  it('inflates one cluster and ignores the bytes after the stream', () => {
    const data = pattern(CLUSTER, 1);
    const stream = Buffer.concat([deflateRawSync(data), Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
    expect(Buffer.from(inflateCluster(stream, CLUSTER, 'test')).equals(Buffer.from(data))).toBe(true);
  });

  it('stops after one cluster of a stream that inflates to far more (bounded output)', () => {
    const data = new Uint8Array(64 * 1024 * 1024);
    data.set(pattern(CLUSTER, 2));
    const out = inflateCluster(deflateRawSync(data), CLUSTER, 'test');
    expect(out.length).toBe(CLUSTER);
    expect(Buffer.from(out).equals(Buffer.from(pattern(CLUSTER, 2)))).toBe(true);
  });

  it('fails a stream that ends before a whole cluster', () => {
    expectCmp4(() => inflateCluster(deflateRawSync(pattern(CLUSTER / 2, 3)), CLUSTER, 'test'), /yields 32768 bytes/);
  });

  it('fails garbage', () => {
    expectCmp4(() => inflateCluster(new Uint8Array(512).fill(0xff), CLUSTER, 'test'), /invalid deflate stream/);
  });
});

/** A zstd frame of raw/RLE blocks (formats from RFC 8878), single-segment with a 4-byte size or windowed. */
function zstdFrame(blocks: ({ raw: Uint8Array } | { rle: number; size: number })[], opts: { windowLog?: number; dict?: boolean; checksum?: boolean } = {}): Uint8Array {
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd];
  const content = blocks.reduce((n, b) => n + ('raw' in b ? b.raw.length : b.size), 0);
  const checksumBit = opts.checksum ? 0x04 : 0;
  if (opts.windowLog !== undefined) {
    parts.push(checksumBit | (opts.dict ? 1 : 0), (opts.windowLog - 10) << 3);
    if (opts.dict) parts.push(7);
  } else {
    parts.push(0xa0 | checksumBit, content & 0xff, (content >>> 8) & 0xff, (content >>> 16) & 0xff, content >>> 24);
  }
  blocks.forEach((b, i) => {
    const last = i === blocks.length - 1 ? 1 : 0;
    const header = 'raw' in b ? last | (b.raw.length << 3) : last | (1 << 1) | (b.size << 3);
    parts.push(header & 0xff, (header >>> 8) & 0xff, header >>> 16);
    if ('raw' in b) parts.push(...b.raw);
    else parts.push(b.rle);
  });
  if (opts.checksum) parts.push(1, 2, 3, 4);
  return Uint8Array.from(parts);
}

function concat(...arrays: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(arrays));
}

describe('zstd clusters', () => {
  it('decodes a single frame', () => {
    const out = zstdCluster(zstdFrame([{ rle: 0x5a, size: CLUSTER }]), CLUSTER, 'test');
    expect(out.every((b) => b === 0x5a)).toBe(true);
  });

  it('decodes several frames into one cluster, skipping skippable frames', () => {
    const head = pattern(1000, 4);
    const skippable = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    const stream = concat(zstdFrame([{ raw: head }], { checksum: true }), skippable, zstdFrame([{ rle: 7, size: CLUSTER - 1000 }], { windowLog: 17 }));
    const out = zstdCluster(stream, CLUSTER, 'test');
    expect(Buffer.from(out.subarray(0, 1000)).equals(Buffer.from(head))).toBe(true);
    expect(out.subarray(1000).every((b) => b === 7)).toBe(true);
  });

  it('ignores bytes after the frame that completes the cluster', () => {
    const stream = concat(zstdFrame([{ rle: 1, size: CLUSTER }]), new Uint8Array(300).fill(0xee));
    expect(zstdCluster(stream, CLUSTER, 'test')[CLUSTER - 1]).toBe(1);
  });

  it('fails a frame that runs past the cluster', () => {
    expectCmp4(() => zstdCluster(zstdFrame([{ rle: 1, size: CLUSTER + 512 }]), CLUSTER, 'test'), /declares 66048 bytes/);
    expectCmp4(() => zstdCluster(zstdFrame([{ rle: 1, size: 40000 }, { rle: 2, size: 40000 }], { windowLog: 17 }), CLUSTER, 'test'), /past the end of the cluster/);
  });

  it('fails a stream that ends early, a truncated frame and garbage', () => {
    expectCmp4(() => zstdCluster(zstdFrame([{ rle: 1, size: 4096 }]), CLUSTER, 'test'), /stream ends after 4096/);
    expectCmp4(() => zstdCluster(zstdFrame([{ raw: pattern(5000, 5) }]).subarray(0, 3000), CLUSTER, 'test'), /truncated zstd frame/);
    expectCmp4(() => zstdCluster(new Uint8Array(600).fill(0x33), CLUSTER, 'test'), /no zstd frame/);
  });

  it(`refuses windows above ${ZSTD_WINDOW_BYTES_MAX} bytes and dictionaries, before allocating`, () => {
    expectCmp4(() => zstdCluster(zstdFrame([{ rle: 1, size: CLUSTER }], { windowLog: 31 }), CLUSTER, 'test'), /window of 2147483648 bytes/);
    expectCmp4(() => zstdCluster(zstdFrame([{ rle: 1, size: CLUSTER }], { windowLog: 17, dict: true }), CLUSTER, 'test'), /dictionary/);
  });
});

describe('compressed descriptors', () => {
  function ruleOf(fn: () => unknown): string {
    try {
      fn();
    } catch (err) {
      if (isFormatError(err)) return err.rule;
      throw err;
    }
    return 'none';
  }
  const source = bytesSource(new Uint8Array(4096));

  it('CMP-3: with 512-byte clusters, offset bits at or above 56 must be zero', () => {
    // cluster_bits 9: x = 61, so offset bits 0..60; set bit 57 (high word bit 25), compressed bit 62.
    expect(ruleOf(() => readCompressedCluster(source, 0x40000000 | (1 << 25), 0x1000, 9, 0, 'test'))).toBe('CMP-3');
  });

  it('reads the bytes the descriptor names and decompresses with the image type; unknown types are HDR-13', () => {
    const data = pattern(512, 9);
    const stream = deflateRawSync(data);
    const bytes = new Uint8Array(4096);
    bytes.set(stream, 1000); // unaligned offset, fits in sector 1 plus the next: 1 additional sector
    const hi = 0x40000000 | (1 << (61 - 32)); // additional sectors = 1 at bit x = 61
    const out = readCompressedCluster(bytesSource(bytes), hi, 1000, 9, 0, 'test');
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
    expect(ruleOf(() => readCompressedCluster(bytesSource(bytes), hi, 1000, 9, 7, 'test'))).toBe('HDR-13');
  });
});
