/**
 * The guest view (L2-5, XL2-2..XL2-4, CMP-1..CMP-4, SN-7): reads through in-memory chains equal
 * what `qemu-img convert -O raw` produces, for random unaligned ranges; zero clusters hide the
 * backing file; a short backing file reads zeros past its end; and mappings the spec forbids are
 * FormatErrors naming their rule.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { isFormatError } from '../../../spec/format/format-error.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { TableView } from '../../../spec/format/table-view.js';
import { GuestView } from '../../../spec/semantics/guest-view.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { load, memoryChain, type MemoryImage } from './memory-chain.js';

const tmp = tempDir('crashcow-guest-');
afterAll(() => tmp.cleanup());

async function make(name: string, options: string, size: string, commands: string[], backing?: [string, string]): Promise<string> {
  const path = tmp.path(name);
  const b = backing ? ['-b', backing[0], '-F', backing[1]] : [];
  await qemuImgOk(['create', '-q', '-f', 'qcow2', ...(options ? ['-o', options] : []), ...b, path, size]);
  if (commands.length) await qemuIo(path, commands);
  return path;
}

async function qemuRaw(path: string): Promise<Uint8Array> {
  const out = `${path}.expected.raw`;
  await qemuImgOk(['convert', '-O', 'raw', path, out]);
  return new Uint8Array(readFileSync(out));
}

function expectRule(fn: () => unknown, rule: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isFormatError(caught), String(caught)).toBe(true);
  expect((caught as { rule: string }).rule).toBe(rule);
}

/** Offset of the L2 entry of guest cluster `clusterIndex` (first L2 table only). */
function l2EntryOffset(bytes: Uint8Array, clusterIndex: number): number {
  const meta = readImageMeta(bytesSource(bytes));
  const l1 = new TableView(bytes.subarray(Number(meta.header.l1TableOffset)));
  const l2 = Number(l1.word(0) & 0x00fffffffffffe00n);
  return l2 + clusterIndex * meta.geometry.l2EntrySizeBytes;
}

function poke64(bytes: Uint8Array, offset: number, value: bigint): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigUint64(offset, value);
}

function peek64(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
}

describe('reads equal qemu-img convert for random ranges', () => {
  const chains: { name: string; images: MemoryImage[]; expected: Uint8Array }[] = [];
  beforeAll(async () => {
    const base = tmp.path('base.raw');
    await qemuImgOk(['create', '-q', '-f', 'raw', base, '3M']);
    await qemuIo(base, ['write -P 0xa1 0 2M', 'write -P 0xa2 2500000 5000'], { format: 'raw' });
    const mid = await make('mid.qcow2', 'extended_l2=on', '4M', ['write -P 0xb1 3000 5000', 'write -z 40000 10000', 'write -P 0xb2 3M 70000'], [base, 'raw']);
    const top = await make('top.qcow2', 'cluster_size=4k', '5M', ['write -P 0xc1 1 4095', 'write -z -u 50000 20000', 'write -c -P 0xc3 1M 4k', 'write -P 0xc2 4500000 5000'], [mid, 'qcow2']);
    chains.push({ name: 'qcow2 (4k) over extended L2 over a short raw base', images: [load(top), load(mid), load(base, 'raw')], expected: await qemuRaw(top) });
    const plain = await make('plain.qcow2', '', '4M', ['write -P 0x31 0 1M', 'write -P 0x32 3M 333333']);
    const z = tmp.path('z.qcow2');
    await qemuImgOk(['convert', '-q', '-c', '-O', 'qcow2', '-o', 'compression_type=zstd,cluster_size=16k', plain, z]);
    chains.push({ name: 'zstd-compressed', images: [load(z)], expected: await qemuRaw(z) });
  });

  it.each([0, 1])('chain %i', (i) => {
    const { images, expected } = chains[i];
    const view = new GuestView(memoryChain(images));
    expect(view.sizeBytes).toBe(expected.length);
    fc.assert(
      fc.property(fc.nat(expected.length - 1), fc.integer({ min: 1, max: 300000 }), (start, len) => {
        const n = Math.min(len, expected.length - start);
        const got = view.read(start, n);
        expect(Buffer.compare(Buffer.from(got), Buffer.from(expected.subarray(start, start + n)))).toBe(0);
      }),
      { seed: 20240607 + i, numRuns: 150 },
    );
  });
});

describe('guest semantics', () => {
  it('zero clusters read zeros, not the backing file (L2-5)', async () => {
    const base = await make('zb.qcow2', '', '1M', ['write -P 0xaa 0 1M']);
    const top = await make('zt.qcow2', '', '1M', ['write -z 0 64k', 'write -z -u 128k 64k'], [base, 'qcow2']);
    const view = new GuestView(memoryChain([load(top), load(base)]));
    expect(view.read(0, 65536).every((b) => b === 0)).toBe(true);
    expect(view.read(131072, 65536).every((b) => b === 0)).toBe(true);
    expect(view.read(65536, 65536).every((b) => b === 0xaa)).toBe(true);
  });

  it('a backing file shorter than the image reads zeros past its end (L2-5)', async () => {
    const base = await make('sb.qcow2', '', '1M', ['write -P 0xbb 0 1M']);
    const top = await make('st.qcow2', '', '2M', [], [base, 'qcow2']);
    const view = new GuestView(memoryChain([load(top), load(base)]));
    const bytes = view.read(1048576 - 10, 20);
    expect([...bytes]).toEqual([...new Array(10).fill(0xbb), ...new Array(10).fill(0)]);
  });

  it('the guest view ends at the virtual size, whatever the L1 table covers (SN-7)', async () => {
    const path = await make('vm.qcow2', '', '2M', ['write -P 1 0 2M']);
    await qemuImgOk(['resize', '-q', '--shrink', path, '1M']);
    const view = new GuestView(memoryChain([load(path)]));
    expect(view.sizeBytes).toBe(1048576);
    expect(() => view.read(1048576 - 1, 2)).toThrow(RangeError);
  });
});

describe('forbidden mappings are FormatErrors naming the rule', () => {
  it('XL2-3: a subcluster both allocated and zero', async () => {
    const img = load(await make('x3.qcow2', 'extended_l2=on', '1M', ['write -P 1 0 4k']));
    const bitmap = l2EntryOffset(img.bytes, 0) + 8;
    poke64(img.bytes, bitmap, peek64(img.bytes, bitmap) | (1n << 32n));
    expectRule(() => new GuestView(memoryChain([img])).read(0, 1), 'XL2-3');
  });

  it('XL2-4: an unallocated cluster with allocated subclusters', async () => {
    const img = load(await make('x4.qcow2', 'extended_l2=on', '1M', ['write -P 1 0 4k']));
    poke64(img.bytes, l2EntryOffset(img.bytes, 1) + 8, 1n);
    expectRule(() => new GuestView(memoryChain([img])).read(65536, 1), 'XL2-4');
  });

  it('L2-6: a zero flag in a v2 image', async () => {
    const img = load(await make('v2.qcow2', 'compat=0.10', '1M', ['write -P 1 0 64k']));
    const entry = l2EntryOffset(img.bytes, 0);
    poke64(img.bytes, entry, peek64(img.bytes, entry) | 1n);
    expectRule(() => new GuestView(memoryChain([img])).read(0, 1), 'L2-6');
  });

  it('L2-3 and L1-2: unaligned cluster and L2 table offsets', async () => {
    const img = load(await make('ua.qcow2', '', '1M', ['write -P 1 0 64k']));
    const entry = l2EntryOffset(img.bytes, 0);
    poke64(img.bytes, entry, peek64(img.bytes, entry) + 512n);
    expectRule(() => new GuestView(memoryChain([img])).read(0, 1), 'L2-3');
    const l1 = Number(readImageMeta(bytesSource(img.bytes)).header.l1TableOffset);
    poke64(img.bytes, l1, peek64(img.bytes, l1) + 4096n);
    expectRule(() => new GuestView(memoryChain([img])).read(0, 1), 'L1-2');
  });

  it('L2-7: a data-file cluster whose offset is not its guest offset', async () => {
    const path = tmp.path('df.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', `data_file=${tmp.path('df.raw')}`, path, '1M']);
    await qemuIo(path, ['write -P 1 64k 64k']);
    const img: MemoryImage = { ...load(path), dataFile: new Uint8Array(readFileSync(tmp.path('df.raw'))) };
    expect(new GuestView(memoryChain([img])).read(65536, 1)[0]).toBe(1);
    const entry = l2EntryOffset(img.bytes, 1);
    poke64(img.bytes, entry, peek64(img.bytes, entry) + 65536n);
    expectRule(() => new GuestView(memoryChain([img])).read(65536, 1), 'L2-7');
  });

  it('CMP-4: a compressed cluster whose stream is damaged', async () => {
    const img = load(await make('cmp.qcow2', '', '1M', ['write -c -P 0x77 0 64k']));
    const entry = peek64(img.bytes, l2EntryOffset(img.bytes, 0));
    const offset = Number(entry & ((1n << 54n) - 1n));
    img.bytes.fill(0xff, offset, offset + 16);
    expectRule(() => new GuestView(memoryChain([img])).read(0, 1), 'CMP-4');
  });

  it('HDR-8 and FEAT-6 stop the image from being opened at all', async () => {
    const img = load(await make('hdr.qcow2', '', '1M', []));
    const view = new DataView(img.bytes.buffer);
    view.setUint32(36, 0); // l1_size 0 for a 1 MiB disk
    expectRule(() => memoryChain([img]), 'HDR-8');
    view.setUint32(36, 1);
    view.setBigUint64(72, 1n << 40n); // an unknown incompatible feature
    expectRule(() => memoryChain([img]), 'FEAT-6');
  });
});
