/**
 * Item 8: targeted damage to real images made by qemu-img. crashcow's classification (corruption /
 * leak / check error, and the exit code) equals qemu-img check's, and so do the counters whenever
 * qemu-img prints them. Where the spec is stricter than qemu-img, the difference is asserted and
 * named by rule.
 */
import { truncateSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCompressedDescriptor } from '../../../spec/format/compressed-descriptor.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { compareWithQemu, counterDiff, findingLines, schemaErrors } from './compare-with-qemu.js';
import { Layout, OFFSET_MASK, readU64, writeU32, writeU64 } from './damage.js';

const tmp = tempDir('crashcow-damage-');
afterAll(() => tmp.cleanup());

const COPIED = 1n << 63n;
const img = (...args: string[]) => qemuImgOk(args);
/** A 16 MiB image, 64 KiB clusters unless `opts` says otherwise, with data at 0 (256 KiB) and 1 MiB. */
async function base(p: string, opts = ''): Promise<Layout> {
  await img('create', '-q', '-f', 'qcow2', ...(opts ? ['-o', opts] : []), p, '16M');
  await qemuIo(p, ['write -P 1 0 256k', 'write -P 2 1M 64k']);
  return new Layout(p);
}
async function withSnapshot(p: string, opts = ''): Promise<Layout> {
  await base(p, opts);
  await img('snapshot', '-c', 's1', p);
  await qemuIo(p, ['write -P 3 1M 64k']);
  return new Layout(p);
}
const orU64 = (p: string, at: number, bits: bigint) => writeU64(p, at, readU64(p, at) | bits);
const andU64 = (p: string, at: number, bits: bigint) => writeU64(p, at, readU64(p, at) & bits);

interface Case {
  name: string;
  make: (p: string) => Promise<void>;
  /** The exit code both must give (asserted, so each case's classification is pinned). */
  exit: number;
}

const parity: Case[] = [
  { name: 'refcount too high on a referenced cluster (leak, COPIED)', exit: 2, make: async (p) => { const l = await base(p); l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)), 2); } },
  { name: 'refcount on a free cluster (leak only)', exit: 3, make: async (p) => { const l = await base(p); const free = l.clusterOf(l.dataOffset(0, 1)); await qemuIo(p, ['discard 64k 64k']); l.setStoredRefcount(free, 1); } },
  { name: 'refcount too low on a shared cluster', exit: 2, make: async (p) => { const l = await withSnapshot(p); l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)), 1); } },
  { name: 'refcount zero on a referenced cluster', exit: 2, make: async (p) => { const l = await base(p); l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 0); } },
  { name: 'L2 entry pointing into the header (unaligned)', exit: 2, make: async (p) => { const l = await base(p); writeU64(p, l.l2EntryOffset(0, 0), COPIED | 0x200n); } },
  { name: 'compressed L2 entry pointing into the header', exit: 2, make: async (p) => { const l = await base(p); writeU64(p, l.l2EntryOffset(0, 1), encodeCompressedDescriptor(0x100, 300, 16)); } },
  { name: 'L2 entry pointing at the refcount table', exit: 2, make: async (p) => { const l = await base(p); writeU64(p, l.l2EntryOffset(0, 0), COPIED | BigInt(l.meta.header.refcountTableOffset)); } },
  {
    name: 'L2 entry pointing at another L2 table',
    exit: 2,
    make: async (p) => {
      await img('create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', p, '16M');
      await qemuIo(p, ['write -P 1 0 16k', 'write -P 2 4M 16k']);
      const l = new Layout(p);
      writeU64(p, l.l2EntryOffset(0, 1), COPIED | BigInt(l.l2Offset(2)));
    },
  },
  { name: 'L2 entry pointing at the L1 table (a cycle)', exit: 2, make: async (p) => { const l = await base(p); writeU64(p, l.l2EntryOffset(0, 2), COPIED | l.meta.header.l1TableOffset); } },
  { name: 'L1 entry with COPIED but offset 0: the header read as an L2 table', exit: 2, make: async (p) => { await img('create', '-q', '-f', 'qcow2', p, '2G'); await qemuIo(p, ['write -P 1 0 8k']); writeU64(p, new Layout(p).l1EntryOffset(3), COPIED); } },
  { name: 'refcount block whose own refcount is 0', exit: 2, make: async (p) => { const l = await base(p); l.setStoredRefcount(l.clusterOf(l.refblockOffset(0)), 0); } },
  { name: 'unaligned data cluster offset', exit: 2, make: async (p) => { const l = await base(p); orU64(p, l.l2EntryOffset(0, 2), 0x200n); } },
  { name: 'unaligned L2 table offset in the L1 table', exit: 2, make: async (p) => { const l = await base(p); orU64(p, l.l1EntryOffset(0), 0x200n); } },
  { name: 'unaligned refcount block offset (check errors)', exit: 1, make: async (p) => { const l = await base(p); orU64(p, l.reftableEntryOffset(0), 0x200n); } },
  { name: 'reserved bits in an L1 entry', exit: 2, make: async (p) => { const l = await base(p); orU64(p, l.l1EntryOffset(0), 1n << 56n); } },
  { name: 'reserved bits in an L2 entry', exit: 2, make: async (p) => { const l = await base(p); orU64(p, l.l2EntryOffset(0, 3), (1n << 57n) | 0x2n); } },
  { name: 'reserved bits in a refcount table entry', exit: 2, make: async (p) => { const l = await base(p); orU64(p, l.reftableEntryOffset(0), 0x1n); } },
  { name: 'COPIED clear on a cluster with refcount 1', exit: 2, make: async (p) => { const l = await base(p); andU64(p, l.l2EntryOffset(0, 1), ~COPIED); } },
  { name: 'COPIED set on a shared L2 table', exit: 2, make: async (p) => { await base(p); await img('snapshot', '-c', 's1', p); orU64(p, new Layout(p).l1EntryOffset(0), COPIED); } },
  { name: 'COPIED set on a compressed cluster', exit: 2, make: async (p) => { const l = await base(p); writeU64(p, l.l2EntryOffset(0, 1), COPIED | encodeCompressedDescriptor(l.dataOffset(0, 1), 300, 16)); } },
  { name: 'L1 table past the end of the file', exit: 2, make: async (p) => { await base(p); writeU64(p, 40, BigInt(statSync(p).size + 2 ** 30) & ~0xffffn); } },
  { name: 'snapshot table: more snapshots than QEMU takes', exit: 1, make: async (p) => { await withSnapshot(p); writeU32(p, 60, 70000); } },
  { name: 'snapshot table: unaligned offset', exit: 1, make: async (p) => { await withSnapshot(p); orU64(p, 64, 0x200n); } },
  { name: 'snapshot table: oversized extra data', exit: 1, make: async (p) => { const l = await withSnapshot(p); writeU32(p, Number(l.meta.header.snapshotsOffset) + 36, 5000); } },
  { name: 'snapshot entry: unaligned L1 offset', exit: 2, make: async (p) => { const l = await withSnapshot(p); orU64(p, Number(l.meta.header.snapshotsOffset), 0x200n); } },
  { name: 'snapshot entry: incomplete extra data', exit: 2, make: async (p) => { const l = await withSnapshot(p); writeU32(p, Number(l.meta.header.snapshotsOffset) + 36, 8); } },
  { name: 'snapshot entry: L1 table too large', exit: 2, make: async (p) => { const l = await withSnapshot(p); writeU32(p, Number(l.meta.header.snapshotsOffset) + 8, 5_000_000); } },
  { name: 'snapshot table past the end of the file', exit: 2, make: async (p) => { await withSnapshot(p); writeU64(p, 64, BigInt(statSync(p).size + 2 ** 30) & ~0xffffn); } },
  { name: 'dirty bit set on a clean lazy-refcount image', exit: 0, make: async (p) => { await base(p, 'lazy_refcounts=on'); orU64(p, 72, 1n); } },
  { name: 'dirty bit set without lazy refcounts', exit: 0, make: async (p) => { await base(p); orU64(p, 72, 1n); } },
  { name: 'dirty bit with a stale refcount', exit: 2, make: async (p) => { const l = await base(p, 'lazy_refcounts=on'); orU64(p, 72, 1n); l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)), 0); } },
  { name: 'corrupt bit set', exit: 0, make: async (p) => { await base(p); orU64(p, 72, 2n); } },
  { name: 'refcount block referenced twice', exit: 2, make: async (p) => { const l = await base(p); writeU64(p, l.l2EntryOffset(0, 0), COPIED | BigInt(l.refblockOffset(0))); } },
  { name: 'refcount block outside the image', exit: 2, make: async (p) => { const l = await base(p); writeU64(p, l.reftableEntryOffset(1), BigInt(statSync(p).size + 2 ** 30) & ~0xffffn); } },
  {
    name: 'refcount overflow with 1-bit refcounts',
    exit: 2,
    make: async (p) => { const l = await base(p, 'refcount_bits=1'); writeU64(p, l.l2EntryOffset(0, 1), readU64(p, l.l2EntryOffset(0, 0))); },
  },
  { name: 'extended L2: subcluster both allocated and zero', exit: 2, make: async (p) => { const l = await base(p, 'extended_l2=on'); orU64(p, l.l2EntryOffset(0, 0) + 8, 1n << 32n); } },
  { name: 'extended L2: allocated subclusters without a cluster', exit: 2, make: async (p) => { const l = await base(p, 'extended_l2=on'); writeU64(p, l.l2EntryOffset(0, 9) + 8, 0x3n); } },
  { name: 'truncated file cuts off referenced clusters', exit: 2, make: async (p) => { const l = await base(p); truncateSync(p, l.dataOffset(0, 1)); } },
  { name: 'bitmaps bit cleared by a program without bitmap support (leaks)', exit: 3, make: async (p) => { await img('create', '-q', '-f', 'qcow2', p, '16M'); await img('bitmap', '--add', p, 'b1'); await qemuIo(p, ['write -P 1 0 1M']); andU64(p, 88, ~1n); } },
  {
    name: 'bitmap table entry with reserved bits (both stop)',
    exit: 1,
    make: async (p) => {
      await img('create', '-q', '-f', 'qcow2', p, '16M');
      await img('bitmap', '--add', p, 'b1');
      await qemuIo(p, ['write -P 1 0 1M']);
      const dir = Number(new Layout(p).meta.extensions.bitmaps!.directoryOffset);
      orU64(p, Number(readU64(p, dir)), 0x2n);
    },
  },
  { name: 'header_length not a multiple of 8 (both refuse the image)', exit: 1, make: async (p) => { await base(p); writeU32(p, 100, 108); } },
  { name: 'zero bit set in a v3 entry with an offset (preallocated zero)', exit: 0, make: async (p) => { const l = await base(p); orU64(p, l.l2EntryOffset(0, 1), 1n); } },
];

describe('damaged images: crashcow classifies as qemu-img does (item 8)', () => {
  it.each(parity.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const path = tmp.path(`damage-${i}.qcow2`);
    await c.make(path);
    const cmp = await compareWithQemu(path);
    expect(schemaErrors(cmp.ours)).toBe('');
    const why = `${findingLines(cmp.ours)}\n--- qemu-img:\n${cmp.theirs.stderr}`;
    expect(cmp.theirs.exitCode, why).toBe(c.exit);
    expect(cmp.ourExit, why).toBe(c.exit);
    if (cmp.theirs.json.format !== undefined) expect(counterDiff(cmp), why).toEqual({});
  });
});

interface Stricter {
  name: string;
  make: (p: string) => Promise<void>;
  /** The rule crashcow reports where qemu-img 7.2 is silent or reads on. */
  rule: string;
  ourExit: number;
  qemuExit: number;
  /** crashcow's corruptions minus qemu-img's, when qemu-img prints its counters. */
  extraCorruptions?: number;
}

const stricter: Stricter[] = [
  { name: 'zero flag in a v2 image', rule: 'L2-6', ourExit: 2, qemuExit: 0, extraCorruptions: 1, make: async (p) => { const l = await base(p, 'compat=0.10'); orU64(p, l.l2EntryOffset(0, 1), 1n); } },
  { name: 'bit 0 set in an extended L2 entry', rule: 'L2-3', ourExit: 2, qemuExit: 0, extraCorruptions: 1, make: async (p) => { const l = await base(p, 'extended_l2=on'); orU64(p, l.l2EntryOffset(0, 1), 1n); } },
  { name: 'COPIED on an entry that maps no cluster', rule: 'L2-4', ourExit: 2, qemuExit: 0, extraCorruptions: 1, make: async (p) => { const l = await base(p); writeU64(p, l.l2EntryOffset(0, 40), COPIED); } },
  {
    name: 'external data file cluster away from its guest offset',
    rule: 'L2-7',
    ourExit: 2,
    qemuExit: 0,
    extraCorruptions: 1,
    make: async (p) => { await img('create', '-q', '-f', 'qcow2', '-o', `data_file=${p}.data`, p, '16M'); await qemuIo(p, ['write -P 1 0 128k']); const l = new Layout(p); writeU64(p, l.l2EntryOffset(0, 1), COPIED | 0x300000n); },
  },
  { name: 'no refcount table', rule: 'HDR-9', ourExit: 2, qemuExit: 2, extraCorruptions: 1, make: async (p) => { await base(p); writeU32(p, 56, 0); } },
  { name: 'bitmaps autoclear bit without a bitmaps extension', rule: 'FEAT-8', ourExit: 2, qemuExit: 0, extraCorruptions: 1, make: async (p) => { await base(p); orU64(p, 88, 1n); } },
  {
    name: 'compressed data offset at or above 2^56 (512-byte clusters)',
    rule: 'CMP-3',
    ourExit: 2,
    qemuExit: 2,
    extraCorruptions: 1,
    make: async (p) => { const l = await base(p, 'cluster_size=512'); writeU64(p, l.l2EntryOffset(0, 1), encodeCompressedDescriptor(0, 300, 9) | (1n << 57n)); },
  },
];

describe('damaged images where the spec is stricter than qemu-img 7.2 (documented differences)', () => {
  it.each(stricter.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const path = tmp.path(`stricter-${i}.qcow2`);
    await c.make(path);
    const cmp = await compareWithQemu(path);
    expect(schemaErrors(cmp.ours)).toBe('');
    const why = `${findingLines(cmp.ours)}\n--- qemu-img:\n${cmp.theirs.stderr}`;
    expect(cmp.theirs.exitCode, why).toBe(c.qemuExit);
    expect(cmp.ourExit, why).toBe(c.ourExit);
    const f = cmp.ours.findings.find((x) => x.rule === c.rule);
    expect(f, why).toBeDefined();
    expect(f!.qemu, 'the finding says how qemu-img differs').toMatch(/qemu-img/);
    if (c.extraCorruptions !== undefined) {
      expect(cmp.ours.corruptions - cmp.counters.corruptions[1], why).toBe(c.extraCorruptions);
      const { corruptions: _c, ...rest } = counterDiff(cmp);
      expect(rest, why).toEqual({});
    }
  });
});
