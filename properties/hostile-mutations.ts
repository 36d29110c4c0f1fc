/**
 * Mutations of a real qcow2 image for the hostile-input property: header fields set to hostile
 * values, extension lengths, table entries redirected (into the header, the L1 or refcount table,
 * near 2^63, past the end of the file, with reserved bits), random byte flips in the metadata, and
 * truncation. Locations are read from the image itself, so every mutation hits live structures.
 */
import fc from 'fast-check';
import { l1EntryL2OffsetBytes } from '../spec/format/l1-entry.js';

/** Header fields: byte offset and width. */
const headerFields = [
  [4, 4], [8, 8], [16, 4], [20, 4], [24, 8], [32, 4], [36, 4], [40, 8], [48, 8], [56, 4],
  [60, 4], [64, 8], [72, 8], [80, 8], [88, 8], [96, 4], [100, 4], [104, 1],
] as const;

const tables = ['l1', 'l2', 'reftable', 'refblock', 'snapshot-table', 'snapshot-l1'] as const;
const targets = ['near-2^63', 'below-2^56', 'header', 'l1', 'reftable', 'refblock', 'self', 'file-end', 'far', 'random'] as const;

export type Mutation =
  | { kind: 'header'; field: number; value: bigint }
  | { kind: 'extension-length'; value: number }
  | { kind: 'entry'; table: (typeof tables)[number]; entry: number; target: (typeof targets)[number]; flags: bigint; random: bigint }
  | { kind: 'flip'; at: number[]; mask: number }
  | { kind: 'truncate'; fraction: number };

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const hostileNumber = fc.oneof(
  fc.constantFrom(0n, 1n, 7n, 8n, 9n, 21n, 22n, 63n, 64n, 105n, 4096n, 65535n, 65536n, 65537n, 4194305n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 56n, 2n ** 63n - 65536n, 2n ** 63n, 2n ** 64n - 1n),
  u64,
);

const oneMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('header' as const), field: fc.nat({ max: headerFields.length - 1 }), value: hostileNumber }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extension-length' as const), value: fc.oneof(fc.constantFrom(0xffffffff, 65536, 4096, 8), fc.nat()) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('entry' as const),
      table: fc.constantFrom(...tables),
      entry: fc.oneof(fc.nat({ max: 4 }), fc.nat({ max: 600 })),
      target: fc.constantFrom(...targets),
      flags: fc.constantFrom(0n, 1n << 63n, 1n << 62n, 1n << 56n, 0x1ffn, 0x200n, 1n, (1n << 63n) | 1n),
      random: u64,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 16 }), mask: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
);

export const mutationArb: fc.Arbitrary<Mutation[]> = fc.array(oneMutation, { minLength: 1, maxLength: 3 });

/** A copy of `original` with the mutations applied in order. */
export function mutate(original: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes: Uint8Array = original.slice();
  for (const m of mutations) bytes = apply(bytes, m);
  return bytes;
}

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (m.kind === 'truncate') return bytes.slice(0, Math.floor(bytes.length * m.fraction));
  if (bytes.length < 112) return bytes; // a header this short is already broken; nothing to aim at
  switch (m.kind) {
    case 'header': {
      const [offset, width] = headerFields[m.field];
      put(view, offset, width, m.value);
      return bytes;
    }
    case 'extension-length': {
      const start = view.getUint32(4) >= 3 ? view.getUint32(100) : 72;
      if (start + 8 <= bytes.length) view.setUint32(start + 4, m.value >>> 0);
      return bytes;
    }
    case 'entry': {
      const at = tableEntryOffset(view, m.table, m.entry);
      if (at !== null && at + 8 <= bytes.length) view.setBigUint64(at, (targetValue(view, m) | m.flags) & (2n ** 64n - 1n));
      return bytes;
    }
    case 'flip': {
      const metaEnd = Math.min(bytes.length, metadataEnd(view));
      for (const a of m.at) bytes[a % metaEnd] ^= m.mask;
      return bytes;
    }
  }
}

function put(view: DataView, offset: number, width: number, value: bigint): void {
  if (offset + width > view.byteLength) return;
  if (width === 8) view.setBigUint64(offset, value & (2n ** 64n - 1n));
  else if (width === 4) view.setUint32(offset, Number(value & 0xffffffffn));
  else view.setUint8(offset, Number(value & 0xffn));
}

function clusterSize(view: DataView): number {
  const bits = view.getUint32(20);
  return bits >= 9 && bits <= 21 ? 2 ** bits : 65536;
}

/**
 * The offset in the 8-byte pointer at `at` (a header field or a table entry), read as an L1
 * entry's offset field (bits 9..55) so that flag and reserved bits never move it; null when it
 * lies outside the file.
 */
function readOffset(view: DataView, at: number): number | null {
  if (at < 0 || at + 8 > view.byteLength) return null;
  const offsetBytes = l1EntryL2OffsetBytes(view.getUint32(at), view.getUint32(at + 4));
  return offsetBytes < view.byteLength ? offsetBytes : null;
}

/** Where the mutated entry lives, following the image's own pointers (null when they lead outside). */
function tableEntryOffset(view: DataView, table: (typeof tables)[number], entry: number): number | null {
  const l1 = readOffset(view, 40);
  const reftable = readOffset(view, 48);
  switch (table) {
    case 'l1':
      return l1 === null ? null : l1 + 8 * entry;
    case 'l2': {
      const l2 = l1 === null ? null : readOffset(view, l1);
      return l2 === null ? null : l2 + 8 * entry;
    }
    case 'reftable':
      return reftable === null ? null : reftable + 8 * entry;
    case 'refblock': {
      const block = reftable === null ? null : readOffset(view, reftable);
      return block === null ? null : block + 8 * entry;
    }
    case 'snapshot-table': {
      const sn = readOffset(view, 64);
      return sn === null ? null : sn + 8 * (entry % 6);
    }
    case 'snapshot-l1': {
      const sn = readOffset(view, 64);
      const snL1 = sn === null ? null : readOffset(view, sn);
      return snL1 === null ? null : snL1 + 8 * entry;
    }
  }
}

function targetValue(view: DataView, m: Extract<Mutation, { kind: 'entry' }>): bigint {
  const cs = BigInt(clusterSize(view));
  const size = BigInt(view.byteLength);
  switch (m.target) {
    case 'near-2^63':
      return 2n ** 63n - cs;
    case 'below-2^56':
      return 2n ** 56n - cs;
    case 'header':
      return 0n;
    case 'l1':
      return view.getBigUint64(40); // an L2 entry or table pointing at the L1 table: a cycle
    case 'reftable':
      return view.getBigUint64(48);
    case 'refblock':
      return BigInt(readOffset(view, Number(view.getBigUint64(48) & 0xffffffffn)) ?? 0); // a refblock describing itself wrongly
    case 'self':
      return BigInt(tableEntryOffset(view, m.table, m.entry) ?? 0) & ~(cs - 1n);
    case 'file-end':
      return (size + cs - 1n) & ~(cs - 1n);
    case 'far':
      return ((size + 2n ** 30n) & ~(cs - 1n)) * BigInt(1 + (m.entry % 7));
    case 'random':
      return m.random;
  }
}

/** The end of the metadata worth flipping: past the header, L1, reftable, first refblock and L2. */
function metadataEnd(view: DataView): number {
  const ends = [40, 48, 64].map((at) => readOffset(view, at)).filter((x): x is number => x !== null);
  return Math.max(4096, ...ends.map((e) => e + clusterSize(view)));
}
