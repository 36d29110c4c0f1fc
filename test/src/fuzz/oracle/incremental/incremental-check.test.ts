/**
 * checkIncrementally against the full check, on hand-made epochs over an image the built-in
 * engine made and flushed: writes to an L2 entry, a refcount block, the L1 table, the header,
 * the refcount table and the file size, each crash state of the epoch judged both ways. The
 * summaries must be equal (findings in order, witnesses with their "referenced by" sources,
 * counters, omissions); the kind of each result says which path judged it.
 */
import { describe, expect, it } from 'vitest';
import { readImageMeta } from '../../../../../spec/format/image-meta.js';
import { TableView } from '../../../../../spec/format/table-view.js';
import type { StorageOp } from '../../../../../spec/semantics/storage-contract.js';
import { writeContent } from '../../../../../src/fuzz/content/content-tag.js';
import type { FuzzImageOptions } from '../../../../../src/fuzz/image-options.js';
import { summarizeCheck } from '../../../../../src/fuzz/oracle/check-summary.js';
import { baseCheckOf } from '../../../../../src/fuzz/oracle/incremental/base-check.js';
import { checkIncrementally, type IncrementalResult } from '../../../../../src/fuzz/oracle/incremental/incremental-check.js';
import { BuiltinTarget } from '../../../../../src/fuzz/target/builtin-target.js';
import { CrashPlan } from '../../../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../../../src/storage/memory-device.js';
import { toByteSource } from '../../../../../src/storage/to-byte-source.js';

const CLUSTER = 4096;
const options = (o: Partial<FuzzImageOptions> = {}): FuzzImageOptions => ({ virtualSizeBytes: 1 << 20, clusterSizeBytes: CLUSTER, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback', ...o });

/** A flushed image: 64 KiB written at 0 (one L2 table, 16 data clusters), and where its tables are. */
async function flushedImage(o = options(), snapshot = false): Promise<{ base: MemoryDevice; l1: number; l2: number; refblock: number; reftable: number }> {
  const target = new BuiltinTarget();
  const session = await target.startSession(o, 7);
  await session.image.write(0, writeContent(7, 1, 0, 65536));
  if (snapshot) await session.image.snapshotCreate('s1');
  await session.image.flush();
  await session.sync();
  const cur = session.current();
  const base = MemoryDevice.from(cur.read(0, cur.sizeBytes));
  await session.dispose();
  const h = readImageMeta(toByteSource(base)).header;
  const l1 = Number(h.l1TableOffset);
  const reftable = Number(h.refcountTableOffset);
  const word = (at: number): number => {
    const t = new TableView(base.read(at, 8));
    return t.hi(0) * 2 ** 32 + (t.lo(0) & 0xfffffe00);
  };
  return { base, l1, l2: word(l1) & 0x00fffffffffffe00, refblock: word(reftable), reftable };
}

/** One write of `data` at `offsetBytes` (the epoch after the base's flush). */
function write(base: MemoryDevice, offsetBytes: number, data: Uint8Array, sizeBytesAfter = Math.max(base.sizeBytes, offsetBytes + data.length)): StorageOp {
  return { kind: 'write', offsetBytes, lengthBytes: data.length, data, fua: false, sizeBytesAfter };
}

/** A big-endian 64-bit entry. */
function entry(hi: number, lo: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, hi >>> 0, false);
  new DataView(b.buffer).setUint32(4, lo >>> 0, false);
  return b;
}

/** Every state of the epoch judged both ways: asserts equal summaries, returns the incremental results. */
function judgeBoth(base: MemoryDevice, ops: StorageOp[]): IncrementalResult[] {
  const check = baseCheckOf(toByteSource(base));
  expect(check, 'the flushed image is one the incremental judge takes').not.toBeNull();
  const out: IncrementalResult[] = [];
  for (const state of new CrashPlan(base, ops, { maxStates: 64 }).states()) {
    const r = checkIncrementally(check!, state, state.view());
    if ('summary' in r) expect(r.summary, `state ${state.id}`).toEqual(summarizeCheck(state.source()));
    out.push(r);
  }
  return out;
}

const incremental = (rs: IncrementalResult[]) => rs.filter((r): r is Extract<IncrementalResult, { summary: unknown }> => 'summary' in r);
const fallbacks = (rs: IncrementalResult[]) => rs.flatMap((r) => ('fallback' in r ? [r.fallback] : []));

describe('checkIncrementally', () => {
  it('an L2 entry given a reserved bit: the entry walked again, its finding as the full check reports it', async () => {
    const { base, l2 } = await flushedImage();
    const old = new TableView(base.read(l2 + 3 * 8, 8));
    const rs = judgeBoth(base, [write(base, l2 + 3 * 8, entry(old.hi(0), old.lo(0) | 0x2))]);
    const found = incremental(rs);
    expect(found).toHaveLength(rs.length);
    expect(found.some((r) => r.rewalked === 1 && r.summary.corruptionRules.length > 0)).toBe(true);
  });

  it('a refcount dropped to 0 under a referenced cluster: RC-6 and the COPIED mismatch (L2-2), the witness naming its L2 entry', async () => {
    const { base, refblock } = await flushedImage();
    // Cluster 5 of the file: refcount entry 5 of the first block (16-bit entries).
    const rs = judgeBoth(base, [write(base, refblock + 5 * 2, new Uint8Array(2))]);
    const broken = incremental(rs).filter((r) => r.summary.report.corruptions > 0);
    expect(broken.length).toBeGreaterThan(0);
    const rules = broken[0].summary.report.findings.map((f) => f.rule);
    expect(rules).toContain('RC-6');
    expect(broken[0].summary.report.findings.find((f) => f.rule === 'RC-6')!.detail).toContain('referenced by');
  });

  it('a refcount of a cluster a snapshot shares set to 1: the active entry that references it is walked again from the index (L2-2)', async () => {
    const { base, refblock, l1 } = await flushedImage(options(), true);
    // The active L2 table is shared with the snapshot; find a data cluster with refcount 2.
    const l1Entry = new TableView(base.read(l1, 8));
    const l2 = l1Entry.hi(0) * 2 ** 32 + (l1Entry.lo(0) & 0xfffffe00);
    const first = new TableView(base.read(l2, 8));
    const dataCluster = (first.hi(0) * 2 ** 32 + (first.lo(0) & 0xfffffe00)) / CLUSTER;
    const rs = judgeBoth(base, [write(base, refblock + dataCluster * 2, Uint8Array.of(0, 1))]);
    const copied = incremental(rs).filter((r) => r.summary.report.findings.some((f) => f.rule === 'L2-2'));
    expect(copied.length).toBeGreaterThan(0);
  });

  it('the dirty bit set (lazy refcounts): judged incrementally, the summary dirty', async () => {
    const { base } = await flushedImage(options({ lazyRefcounts: true }));
    const byte = base.read(79, 1)[0] | 1;
    const rs = judgeBoth(base, [write(base, 79, Uint8Array.of(byte))]);
    expect(fallbacks(rs)).toEqual([]);
    expect(incremental(rs).some((r) => r.summary.dirty)).toBe(true);
  });

  it('L1 entry 0 moved to a new L2 table past the old end of the file: the grown file judged incrementally', async () => {
    const { base, l1 } = await flushedImage();
    const end = base.sizeBytes;
    const table = new Uint8Array(CLUSTER);
    table.set(entry(0x80000000, 0x00001000), 0); // maps cluster 1, a metadata cluster (RC-6, AL-2)
    const rs = judgeBoth(base, [write(base, end, table), write(base, l1, entry(0x80000000, end), end + CLUSTER)]);
    expect(fallbacks(rs)).toEqual([]);
    expect(incremental(rs).some((r) => r.summary.report.corruptions > 0)).toBe(true);
  });

  it('falls back, saying why, when a write reaches the header beyond the dirty bit, the refcount table, or the file shrinks', async () => {
    const { base, reftable } = await flushedImage();
    expect(fallbacks(judgeBoth(base, [write(base, 24, entry(0, 2 << 20))]))).toContain('header');
    expect(fallbacks(judgeBoth(base, [write(base, reftable + 8, entry(0, 0x20000))]))).toContain('refcount-table');
    const truncate: StorageOp = { kind: 'truncate', offsetBytes: base.sizeBytes - CLUSTER, lengthBytes: 0, fua: false, sizeBytesAfter: base.sizeBytes - CLUSTER };
    expect(fallbacks(judgeBoth(base, [truncate]))).toContain('shrunk');
  });
});
