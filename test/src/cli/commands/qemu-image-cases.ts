/**
 * The cross-check table: qcow2 images made at test time by real qemu-img / qemu-io, one per
 * image feature crashcow reads (versions, cluster sizes, refcount widths, extended L2, lazy
 * refcounts, preallocation, compression, backing chains, snapshots, resizes, bitmaps, external
 * data files), each with patterned writes at varied (also unaligned) offsets so a wrong mapping
 * shows up as wrong bytes. The map, convert and info tests run every case against qemu-img.
 * Virtual sizes stay small (4-64 MiB) so the whole table builds in seconds.
 */
import { qemuImgOk, qemuIo, qemuRun } from '../../../helpers/qemu.js';

interface ImageCase {
  name: string;
  /** Builds the image (and anything it names) in `dir`; returns the top image's absolute path. */
  build(dir: string): Promise<string>;
}

const img = (...args: string[]) => qemuImgOk(args);
const io = (path: string, ...commands: string[]) => qemuIo(path, commands);

/** Patterned writes that cross cluster and subcluster boundaries at unaligned offsets. */
const SCATTERED = ['write -P 0x11 0 4k', 'write -P 0x22 70000 12345', 'write -P 0x33 1M 64k', 'write -P 0x44 3000001 777', 'write -P 0x55 3M 1'];

async function fresh(dir: string, name: string, options: string, size: string, ...commands: string[]): Promise<string> {
  const path = `${dir}/${name}.qcow2`;
  await img('create', '-q', '-f', 'qcow2', ...(options ? ['-o', options] : []), path, size);
  if (commands.length > 0) await io(path, ...commands);
  return path;
}

/** A lazy-refcounts image left dirty by a killed qemu-io (refcounts not written back). */
async function crashedLazy(dir: string): Promise<string> {
  const path = await fresh(dir, 'lazy-dirty', 'lazy_refcounts=on,cluster_size=4k', '8M');
  await qemuRun('qemu-io', ['-f', 'qcow2', path, '-c', 'write -P 0x66 12k 50000', '-c', 'sigraise 9']);
  return path;
}

async function chain(dir: string, baseFormat: 'qcow2' | 'raw'): Promise<string> {
  const base = `${dir}/base-${baseFormat}.img`;
  await img('create', '-q', '-f', baseFormat, base, '4M');
  await qemuIo(base, ['write -P 0xa1 0 1M', 'write -P 0xa2 2M 4097', 'write -P 0xa3 3997696 100000'], { format: baseFormat });
  const mid = `${dir}/mid-${baseFormat}.qcow2`;
  await img('create', '-q', '-f', 'qcow2', '-b', base, '-F', baseFormat, mid, '6M');
  await io(mid, 'write -P 0xb1 65536 1000', 'write -z 131072 65536', 'write -P 0xb2 5000000 3000', 'discard 1M 64k');
  const top = `${dir}/top-${baseFormat}.qcow2`;
  await img('create', '-q', '-f', 'qcow2', '-o', 'cluster_size=16k', '-b', mid, '-F', 'qcow2', top, '8M');
  await io(top, 'write -P 0xc1 500 1000', 'write -z -u 2M 16k', 'write -P 0xc2 6M 33333', 'write -z 7M 4k');
  return top;
}

async function snapshots(dir: string): Promise<string> {
  const path = await fresh(dir, 'snapshots', '', '8M', 'write -P 0x71 0 300000', 'write -P 0x72 4M 65537');
  await img('snapshot', '-c', 's1', path);
  await io(path, 'write -P 0x73 100000 200000', 'discard 4M 64k');
  await img('snapshot', '-c', 's2', path);
  await io(path, 'write -P 0x74 7M 4096');
  await img('snapshot', '-a', 's1', path);
  await img('snapshot', '-d', 's2', path);
  await io(path, 'write -P 0x75 2M 1234');
  return path;
}

async function compressed(dir: string, type: 'zlib' | 'zstd'): Promise<string> {
  const src = await fresh(dir, `plain-${type}`, '', '8M', ...SCATTERED, 'write -P 0x56 5M 1M');
  const path = `${dir}/compressed-${type}.qcow2`;
  await img('convert', '-q', '-c', '-O', 'qcow2', '-o', `compression_type=${type}`, src, path);
  await io(path, 'write -P 0x57 5M 4096', 'write -c -P 0x58 6M 64k', 'write -z 64k 64k');
  return path;
}

async function dataFile(dir: string, raw: boolean): Promise<string> {
  const path = `${dir}/external-${raw ? 'raw' : 'plain'}.qcow2`;
  const options = `data_file=${dir}/external-${raw ? 'raw' : 'plain'}.data,data_file_raw=${raw ? 'on' : 'off'}`;
  await img('create', '-q', '-f', 'qcow2', '-o', options, path, '8M');
  await io(path, ...SCATTERED, 'write -z 5M 128k', 'discard 1M 64k');
  return path;
}

async function resized(dir: string, shrink: boolean): Promise<string> {
  const path = await fresh(dir, shrink ? 'shrunk' : 'grown', '', '8M', ...SCATTERED, 'write -P 0x77 7M 600000');
  if (shrink) await img('resize', '-q', '--shrink', path, '4999680');
  else await img('resize', '-q', path, '+9M');
  await io(path, `write -P 0x78 ${shrink ? 4900000 : 16000000} 10000`);
  return path;
}

export const imageCases: ImageCase[] = [
  { name: 'compat 0.10 (v2)', build: (d) => fresh(d, 'v2', 'compat=0.10', '8M', ...SCATTERED) },
  { name: 'compat 1.1 (v3)', build: (d) => fresh(d, 'v3', 'compat=1.1', '8M', ...SCATTERED) },
  { name: 'cluster 512 B', build: (d) => fresh(d, 'c512', 'cluster_size=512', '4M', ...SCATTERED) },
  { name: 'cluster 4 KiB', build: (d) => fresh(d, 'c4k', 'cluster_size=4k', '8M', ...SCATTERED) },
  { name: 'cluster 64 KiB', build: (d) => fresh(d, 'c64k', 'cluster_size=64k', '8M', ...SCATTERED) },
  { name: 'cluster 2 MiB', build: (d) => fresh(d, 'c2m', 'cluster_size=2M', '64M', ...SCATTERED, 'write -P 0x59 33554431 3000000') },
  ...[1, 2, 4, 8, 16, 32, 64].map((bits) => ({
    name: `refcount_bits=${bits}`,
    build: (d: string) => fresh(d, `rc${bits}`, `refcount_bits=${bits},cluster_size=4k`, '4M', ...SCATTERED),
  })),
  {
    name: 'extended_l2 subclusters',
    build: (d) => fresh(d, 'xl2', 'extended_l2=on', '8M', ...SCATTERED, 'write -z 2M 8k', 'write -z -u 2100000 4k', 'discard 1M 2k', 'write -P 0x45 4M 3000'),
  },
  { name: 'lazy_refcounts, clean', build: (d) => fresh(d, 'lazy', 'lazy_refcounts=on', '8M', ...SCATTERED) },
  { name: 'lazy_refcounts, dirty after a kill', build: crashedLazy },
  ...(['off', 'metadata', 'falloc', 'full'] as const).map((mode) => ({
    name: `preallocation=${mode}`,
    build: (d: string) => fresh(d, `prealloc-${mode}`, `preallocation=${mode}`, '4M', ...SCATTERED),
  })),
  { name: 'compressed, zlib', build: (d) => compressed(d, 'zlib') },
  { name: 'compressed, zstd', build: (d) => compressed(d, 'zstd') },
  { name: 'backing chain, 3 levels, qcow2 base', build: (d) => chain(d, 'qcow2') },
  { name: 'backing chain, 3 levels, raw base', build: (d) => chain(d, 'raw') },
  {
    name: 'extended_l2 over a backing file',
    build: async (d) => {
      const base = await fresh(d, 'xl2-base', 'extended_l2=on', '4M', ...SCATTERED);
      const path = `${d}/xl2-top.qcow2`;
      await img('create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on', '-b', base, '-F', 'qcow2', path, '4M');
      await io(path, 'write -P 0x61 3000 1000', 'write -z 70000 2048', 'discard 1M 4k', 'write -P 0x62 1050000 10');
      return path;
    },
  },
  { name: 'internal snapshots created, applied, deleted', build: snapshots },
  {
    name: 'discard and write-zeroes (v3)',
    build: (d) => fresh(d, 'zeroes', '', '8M', ...SCATTERED, 'write -z 0 8k', 'write -z -u 1M 64k', 'discard 70000 64k', 'write -z 4M 1M', 'discard 3M 64k'),
  },
  {
    name: 'discard and write-zeroes (v2)',
    build: (d) => fresh(d, 'zeroes-v2', 'compat=0.10', '8M', ...SCATTERED, 'write -z 0 8k', 'discard 1M 64k', 'write -z 4M 1M'),
  },
  { name: 'resize up', build: (d) => resized(d, false) },
  { name: 'resize down (--shrink)', build: (d) => resized(d, true) },
  {
    name: 'persistent bitmaps',
    build: async (d) => {
      const path = await fresh(d, 'bitmaps', '', '8M', ...SCATTERED);
      await img('bitmap', '--add', path, 'b0');
      await img('bitmap', '--add', '-g', '128k', path, 'b1');
      await img('bitmap', '--disable', path, 'b1');
      return path;
    },
  },
  { name: 'external data file, data_file_raw=on', build: (d) => dataFile(d, true) },
  { name: 'external data file, data_file_raw=off', build: (d) => dataFile(d, false) },
];
