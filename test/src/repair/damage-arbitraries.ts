/**
 * Random damage to a small qcow2 image in memory, for the repair property: words of the L1 table,
 * the first L2 table, the refcount table, the first refcount block and the snapshot table
 * overwritten with interesting values (zero, aligned and unaligned offsets inside the file,
 * offsets past its end, a bit flipped, another entry's value, anything), refcounts set to small
 * values, the dirty and corrupt bits.
 * Each damage says which guest clusters it may destroy; the rest must survive a repair.
 */
import fc from 'fast-check';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { getRefcount, setRefcount } from '../../../spec/format/refcount-block.js';

export interface SmallLayout {
  clusterSizeBytes: number;
  fileClusterCount: number;
  refcountOrder: number;
  l1OffsetBytes: number;
  l1EntryCount: number;
  /** The L2 table of L1[0]. */
  l2OffsetBytes: number;
  l2EntryCount: number;
  reftableOffsetBytes: number;
  refblockOffsetBytes: number;
  snapshotTableOffsetBytes: number;
  /** Whole words of the snapshot table that may be damaged (0 without snapshots). */
  snapshotTableWords: number;
}

const u64 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at);
const setU64 = (b: Uint8Array, at: number, v: bigint) => new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(at, BigInt.asUintN(64, v));

/** The positions of the structures of an undamaged image with a single L2 table in use. */
export function layoutOf(bytes: Uint8Array): SmallLayout {
  const meta = readImageMeta(bytesSource(bytes));
  const h = meta.header;
  const cs = meta.geometry.clusterSizeBytes;
  const l1 = Number(h.l1TableOffset);
  const reftable = Number(h.refcountTableOffset);
  return {
    clusterSizeBytes: cs,
    fileClusterCount: Math.ceil(bytes.length / cs),
    refcountOrder: h.refcountOrder,
    l1OffsetBytes: l1,
    l1EntryCount: h.l1EntryCount,
    l2OffsetBytes: Number(u64(bytes, l1) & 0x00fffffffffffe00n),
    l2EntryCount: meta.geometry.l2EntryCount,
    reftableOffsetBytes: reftable,
    refblockOffsetBytes: Number(u64(bytes, reftable) & ~0x1ffn),
    snapshotTableOffsetBytes: Number(h.snapshotsOffset),
    snapshotTableWords: h.snapshotCount > 0 ? 5 * h.snapshotCount : 0,
  };
}

/** How a damaged word gets its new value. */
type WordValue = { set: bigint } | { flip: number } | { copyOf: number };

export type Damage =
  | { target: 'l1' | 'l2' | 'reftable' | 'refblock' | 'snapshot'; index: number; value: WordValue }
  | { target: 'refcount'; clusterIndex: number; refcount: number }
  | { target: 'features'; bits: bigint };

function wordValueArb(l: SmallLayout): fc.Arbitrary<WordValue> {
  const cs = l.clusterSizeBytes;
  const copied = fc.boolean().map((c) => (c ? 1n << 63n : 0n));
  return fc.oneof(
    fc.constant({ set: 0n }),
    fc.tuple(fc.integer({ min: 0, max: l.fileClusterCount - 1 }), copied).map(([k, c]) => ({ set: BigInt(k * cs) | c })),
    fc.tuple(fc.integer({ min: 0, max: l.fileClusterCount - 1 }), fc.integer({ min: 1, max: cs / 512 - 1 })).map(([k, m]) => ({ set: BigInt(k * cs + 512 * m) })),
    fc.integer({ min: 0, max: 64 }).map((n) => ({ set: BigInt((l.fileClusterCount + n) * cs) | (1n << 63n) })),
    fc.integer({ min: 0, max: 63 }).map((bit) => ({ flip: bit })),
    fc.integer({ min: 0, max: 63 }).map((j) => ({ copyOf: j })),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => ({ set: v })),
  );
}

/** One to four damages of an image laid out as `l`. */
export function damagesArb(l: SmallLayout): fc.Arbitrary<Damage[]> {
  const word = (target: 'l1' | 'l2' | 'reftable' | 'refblock' | 'snapshot', max: number) => fc.record({ target: fc.constant(target), index: fc.integer({ min: 0, max }), value: wordValueArb(l) });
  const options: fc.Arbitrary<Damage>[] = [
    word('l2', 63),
    word('l1', Math.min(3, l.l1EntryCount - 1)),
    word('reftable', 1),
    word('refblock', 7),
    fc.record({ target: fc.constant('refcount' as const), clusterIndex: fc.integer({ min: 0, max: l.fileClusterCount - 1 }), refcount: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ target: fc.constant('features' as const), bits: fc.constantFrom(1n, 2n, 3n) }),
  ];
  if (l.snapshotTableWords > 0) options.push(word('snapshot', l.snapshotTableWords - 1));
  return fc.array(fc.oneof(...options), { minLength: 1, maxLength: 4 });
}

/** Applies `damages` to a copy of `bytes`; returns it with the guest clusters they may destroy. */
export function applyDamages(bytes: Uint8Array, l: SmallLayout, damages: readonly Damage[]): { damaged: Uint8Array; lost: Set<number> | 'all' } {
  const out = bytes.slice();
  let lost: Set<number> | 'all' = new Set();
  for (const d of damages) {
    if (d.target === 'features') setU64(out, 72, u64(out, 72) | d.bits);
    else if (d.target === 'refcount') setStoredRefcount(out, l, d.clusterIndex, d.refcount);
    else {
      const table = { l1: l.l1OffsetBytes, l2: l.l2OffsetBytes, reftable: l.reftableOffsetBytes, refblock: l.refblockOffsetBytes, snapshot: l.snapshotTableOffsetBytes }[d.target];
      const at = table + d.index * 8;
      const old = u64(out, at);
      const v = d.value;
      setU64(out, at, 'set' in v ? v.set : 'flip' in v ? old ^ (1n << BigInt(v.flip)) : u64(out, table + v.copyOf * 8));
      if (d.target === 'l1' && d.index === 0) lost = 'all';
      if (lost === 'all') continue;
      if (d.target === 'l2') lost.add(d.index);
      if (d.target === 'l1') for (let k = d.index * l.l2EntryCount; k < (d.index + 1) * l.l2EntryCount; k++) lost.add(k);
    }
  }
  return { damaged: out, lost };
}

function setStoredRefcount(bytes: Uint8Array, l: SmallLayout, clusterIndex: number, value: number): void {
  const perBlock = (l.clusterSizeBytes * 8) >> l.refcountOrder;
  if (clusterIndex >= perBlock) return;
  const block = bytes.subarray(l.refblockOffsetBytes, l.refblockOffsetBytes + l.clusterSizeBytes);
  const max = 2 ** 2 ** l.refcountOrder - 1;
  if (getRefcount(block, clusterIndex, l.refcountOrder) !== value) setRefcount(block, clusterIndex, l.refcountOrder, Math.min(value, max));
}
