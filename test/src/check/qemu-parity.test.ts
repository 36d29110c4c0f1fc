/**
 * Item 7 (check half): on images qemu-img and qemu-io make at test time, crashcow check's verdict
 * and every counter equal `qemu-img check --output=json`'s (absent counters are 0).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { qemuImgCreateEncrypted, qemuImgOk, qemuIo, qemuRun, tempDir } from '../../helpers/qemu.js';
import { compareWithQemu, counterDiff, findingLines, schemaErrors } from './compare-with-qemu.js';

const tmp = tempDir('crashcow-parity-');
afterAll(() => tmp.cleanup());

const img = (...args: string[]) => qemuImgOk(args);
/** Scattered writes that leave gaps, so fragmentation and partial L2 tables show up. */
const scattered = ['write -P 0x11 0 192k', 'write -P 0x22 1M 64k', 'write -P 0x33 5M 300k', 'write -P 0x44 2M 4k', 'write -P 0x55 12M 1M'];

interface Case {
  name: string;
  make: (path: string) => Promise<void>;
}

const create = (path: string, opts: string, size = '16M') => img('create', '-q', '-f', 'qcow2', ...(opts ? ['-o', opts] : []), path, size);

const cases: Case[] = [
  { name: 'compat 0.10 (v2) with data', make: async (p) => { await create(p, 'compat=0.10'); await qemuIo(p, scattered); } },
  { name: 'compat 1.1 (v3) with data', make: async (p) => { await create(p, 'compat=1.1'); await qemuIo(p, scattered); } },
  ...['512', '4k', '64k', '2M'].map((cs): Case => ({ name: `cluster_size=${cs}`, make: async (p) => { await create(p, `cluster_size=${cs}`); await qemuIo(p, scattered); } })),
  ...[1, 2, 4, 8, 16, 32, 64].map((bits): Case => ({
    name: `refcount_bits=${bits}${bits > 1 ? ' with a snapshot' : ''}`,
    make: async (p) => {
      await create(p, `refcount_bits=${bits},cluster_size=4k`, '8M');
      await qemuIo(p, ['write -P 1 0 256k', 'write -P 2 1M 64k']);
      if (bits > 1) {
        await img('snapshot', '-c', 's1', p);
        await qemuIo(p, ['write -P 3 32k 64k']);
      }
    },
  })),
  { name: 'extended_l2 subclusters', make: async (p) => { await create(p, 'extended_l2=on,cluster_size=64k'); await qemuIo(p, ['write -P 4 4k 6k', 'write -z 64k 8k', 'write -P 5 200k 100k', 'discard 210k 4k']); } },
  { name: 'extended_l2, 16k clusters, compressed', make: async (p) => { const raw = `${p}.raw`; await img('create', '-q', '-f', 'raw', raw, '4M'); await qemuIo(raw, ['write -P 6 0 1M'], { format: 'raw' }); await img('convert', '-c', '-O', 'qcow2', '-o', 'extended_l2=on,cluster_size=16k', raw, p); } },
  { name: 'lazy_refcounts, closed cleanly', make: async (p) => { await create(p, 'lazy_refcounts=on'); await qemuIo(p, scattered); } },
  ...['off', 'metadata', 'falloc', 'full'].map((mode): Case => ({ name: `preallocation=${mode}`, make: async (p) => { await create(p, `preallocation=${mode}`, '8M'); await qemuIo(p, ['write -P 7 1M 100k']); } })),
  ...['zlib', 'zstd'].map((type): Case => ({
    name: `compressed (${type}) by convert -c`,
    make: async (p) => {
      const raw = `${p}.raw`;
      await img('create', '-q', '-f', 'raw', raw, '8M');
      await qemuIo(raw, ['write -P 8 0 1M', 'write -P 9 3M 512k', 'write -P 10 7M 64k'], { format: 'raw' });
      await img('convert', '-c', '-O', 'qcow2', '-o', `compression_type=${type}`, raw, p);
    },
  })),
  { name: 'compressed, then overwritten and discarded', make: async (p) => { const raw = `${p}.raw`; await img('create', '-q', '-f', 'raw', raw, '4M'); await qemuIo(raw, ['write -P 11 0 2M'], { format: 'raw' }); await img('convert', '-c', '-O', 'qcow2', raw, p); await qemuIo(p, ['write -P 12 64k 64k', 'discard 256k 128k']); } },
  { name: 'backing chain of 3 qcow2 images (top)', make: async (p) => { await create(`${p}.base`, ''); await qemuIo(`${p}.base`, ['write -P 1 0 4M']); await img('create', '-q', '-f', 'qcow2', '-b', `${p}.base`, '-F', 'qcow2', `${p}.mid`); await qemuIo(`${p}.mid`, ['write -P 2 1M 1M']); await img('create', '-q', '-f', 'qcow2', '-b', `${p}.mid`, '-F', 'qcow2', p); await qemuIo(p, ['write -P 3 1536k 64k', 'write -z 3M 64k']); } },
  { name: 'backing chain over a raw base (top)', make: async (p) => { await img('create', '-q', '-f', 'raw', `${p}.raw`, '16M'); await img('create', '-q', '-f', 'qcow2', '-b', `${p}.raw`, '-F', 'raw', p); await qemuIo(p, ['write -P 4 0 128k', 'discard 0 64k']); } },
  {
    name: 'snapshots created, applied, deleted',
    make: async (p) => {
      await create(p, '');
      await qemuIo(p, ['write -P 1 0 1M']);
      await img('snapshot', '-c', 's1', p);
      await qemuIo(p, ['write -P 2 64k 128k']);
      await img('snapshot', '-c', 's2', p);
      await qemuIo(p, ['write -P 3 5M 64k']);
      await img('snapshot', '-a', 's1', p);
      await qemuIo(p, ['write -P 4 512k 64k']);
      await img('snapshot', '-d', 's2', p);
    },
  },
  { name: 'v2 image with a snapshot', make: async (p) => { await create(p, 'compat=0.10'); await qemuIo(p, ['write -P 1 0 512k']); await img('snapshot', '-c', 's1', p); await qemuIo(p, ['write -P 2 0 64k']); } },
  { name: 'discard and write-zeroes', make: async (p) => { await create(p, ''); await qemuIo(p, ['write -P 1 0 2M', 'discard 64k 128k', 'write -z 512k 64k', 'write -z -u 1M 128k', 'write -z 8M 64k']); } },
  { name: 'resize up then down', make: async (p) => { await create(p, ''); await qemuIo(p, ['write -P 1 0 1M', 'write -P 2 15M 1M']); await img('resize', '-q', p, '64M'); await qemuIo(p, ['write -P 3 40M 64k']); await img('resize', '-q', '--shrink', p, '8M'); } },
  {
    name: 'persistent bitmaps with data',
    make: async (p) => {
      await create(p, '');
      await img('bitmap', '--add', p, 'b1');
      await img('bitmap', '--add', '-g', '128k', p, 'b2');
      await qemuIo(p, ['write -P 1 0 1M', 'write -P 2 8M 64k']);
      await img('bitmap', '--disable', p, 'b2');
    },
  },
  {
    name: 'persistent bitmap left in use by a killed writer',
    make: async (p) => {
      await create(p, '');
      await img('bitmap', '--add', p, 'b1');
      await qemuRun('qemu-io', ['-f', 'qcow2', p, '-c', 'write -P 3 0 256k', '-c', 'flush', '-c', 'sigraise 9']);
    },
  },
  { name: 'external data file', make: async (p) => { await create(p, `data_file=${p}.data`); await qemuIo(p, ['write -P 1 0 1M', 'write -P 2 4M 64k', 'discard 0 64k']); } },
  { name: 'external data file, raw', make: async (p) => { await create(p, `data_file=${p}.data,data_file_raw=on`); await qemuIo(p, ['write -P 1 1M 1M']); } },
];

describe('crashcow check agrees with qemu-img check on images qemu makes (item 7)', () => {
  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const path = tmp.path(`parity-${i}.qcow2`);
    await c.make(path);
    const cmp = await compareWithQemu(path);
    expect(schemaErrors(cmp.ours)).toBe('');
    expect(cmp.ourExit, `${findingLines(cmp.ours)}\nqemu stderr: ${cmp.theirs.stderr}`).toBe(cmp.theirs.exitCode);
    expect(counterDiff(cmp), findingLines(cmp.ours)).toEqual({});
    expect(cmp.ours.findings.filter((f) => f.kind !== 'info'), 'no findings on a sound image').toEqual([]);
  });
});

describe('crashcow check on an encrypted image', () => {
  it('LUKS: counters equal qemu-img check given the key (crashcow needs no key; qemu-img cannot open it without one)', async () => {
    const path = tmp.path('luks.qcow2');
    const secret = ['--object', 'secret,id=sec0,data=crashcow'];
    await qemuImgCreateEncrypted(['-q', ...secret, '-f', 'qcow2', '-o', 'encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10', path, '16M']);
    const opts = `driver=qcow2,file.filename=${path},encrypt.key-secret=sec0`;
    const wrote = await qemuRun('qemu-io', [...secret, '--image-opts', opts, '-c', 'write -P 1 0 256k', '-c', 'write -P 2 4M 64k']);
    expect(wrote.exitCode, wrote.stderr).toBe(0);
    expect(wrote.stdout + wrote.stderr).not.toMatch(/failed|error/i);
    const cmp = await compareWithQemu(path);
    expect(cmp.theirs.exitCode, 'qemu-img without the key').toBe(1);
    const keyed = await qemuRun('qemu-img', ['check', ...secret, '--image-opts', opts, '--output=json']);
    expect(keyed.exitCode).toBe(0);
    const json = JSON.parse(keyed.stdout) as Record<string, unknown>;
    expect(cmp.ourExit, findingLines(cmp.ours)).toBe(0);
    for (const [name, [ours]] of Object.entries(cmp.counters)) expect(ours, name).toBe(typeof json[name] === 'number' ? json[name] : 0);
  });
});

describe('crashcow check on images qemu-img leaves dirty', () => {
  it('a lazy-refcount image killed mid-write (dirty) counts as qemu-img does', async () => {
    const path = tmp.path('dirty.qcow2');
    await create(path, 'lazy_refcounts=on');
    await qemuRun('qemu-io', ['-f', 'qcow2', path, '-c', 'write -P 5 0 1M', '-c', 'sigraise 9']);
    const cmp = await compareWithQemu(path);
    expect(schemaErrors(cmp.ours)).toBe('');
    expect(cmp.theirs.exitCode).toBe(2);
    expect(cmp.ourExit).toBe(2);
    expect(counterDiff(cmp)).toEqual({});
    expect(cmp.ours.findings.some((f) => f.rule === 'FEAT-1' && f.kind === 'info')).toBe(true);
  });
});
