/**
 * Header extension bounds (EXT-1, HDR-4, HDR-5): on images qemu-img made, with the header length,
 * the backing file name's offset and size, and the extension records all drawn at random, the open
 * stage judges the extension area against every header field that bounds it:
 *  - it refuses with an EXT-1 check error exactly when QEMU's rule does: a record's type and length,
 *    or its data, run past the area's end (the backing file name offset, else the end of cluster 0);
 *  - it counts an EXT-1 corruption exactly when only a record's padding runs into the backing name;
 *  - it counts an HDR-5 corruption exactly when a non-empty backing name starts inside the header.
 * The expected verdicts come from a model written here from those rules, and, for the refusal,
 * from qemu-img itself on every QEMU build of the machine (fewer runs: each one starts qemu-img).
 *
 * Seeded (CRASHCOW_PROPERTY_SEED); CRASHCOW_PROPERTY_RUNS sets the runs of the model property
 * (300 by default; the qemu-img property runs a tenth of that, at least 10).
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../spec/format/byte-source.js';
import { FindingSink } from '../spec/walk/finding-sink.js';
import { openStage } from '../spec/walk/open-stage.js';
import { presentQemuBuilds } from '../test/helpers/qemu-builds.js';
import { qemuImgOk, qemuTools, tempDir } from '../test/helpers/qemu.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 300);
const QEMU_RUNS = Math.max(10, Math.floor(RUNS / 10));
const SEED = Number(process.env.CRASHCOW_PROPERTY_SEED ?? 0xe71);

const tmp = tempDir('crashcow-ext-bounds-');
afterAll(() => tmp.cleanup());

/** Images qemu-img made, by name: small clusters, so records reach the end of cluster 0. */
const bases = new Map<string, { bytes: Uint8Array; clusterSizeBytes: number; v2: boolean }>();
const BASES = [
  { name: 'v3-512', opts: 'compat=1.1,cluster_size=512', clusterSizeBytes: 512, v2: false },
  { name: 'v3-4k', opts: 'compat=1.1,cluster_size=4096', clusterSizeBytes: 4096, v2: false },
  { name: 'v2-512', opts: 'compat=0.10,cluster_size=512', clusterSizeBytes: 512, v2: true },
];

beforeAll(async () => {
  for (const b of BASES) {
    const path = tmp.path(`${b.name}.qcow2`);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', b.opts, path, '1M']);
    bases.set(b.name, { bytes: new Uint8Array(readFileSync(path)), clusterSizeBytes: b.clusterSizeBytes, v2: b.v2 });
  }
});

interface Layout {
  base: string;
  /** v3 header_length, in units of 8 bytes past 104 (ignored for v2). */
  headerLengthSteps: number;
  records: Array<{ type: number; lengthBytes: number }>;
  /** Where the backing file name starts: none, near the extension start, or anywhere in cluster 0. */
  backing: { kind: 'none' } | { kind: 'near'; delta: number } | { kind: 'any'; fraction: number };
  backingNameBytes: number;
}

const recordArb = fc.record({
  type: fc.oneof(fc.constant(0), fc.constant(0x12345678), fc.integer({ min: 1, max: 0xffffffff }).filter((t) => t < 0x0537be77 || t > 0xe2792aca)),
  lengthBytes: fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 48 }) }, { weight: 1, arbitrary: fc.nat({ max: 600 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }),
});

const layoutArb: fc.Arbitrary<Layout> = fc.record({
  base: fc.constantFrom(...BASES.map((b) => b.name)),
  headerLengthSteps: fc.nat({ max: 6 }),
  records: fc.array(recordArb, { maxLength: 4 }),
  backing: fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.record({ kind: fc.constant('near' as const), delta: fc.integer({ min: -40, max: 120 }) }),
    fc.record({ kind: fc.constant('any' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  ),
  backingNameBytes: fc.nat({ max: 6 }),
});

interface Built {
  bytes: Uint8Array;
  clusterSizeBytes: number;
  extStartBytes: number;
  backingOffsetBytes: number;
  backingNameBytes: number;
}

/** The base image with cluster 0 laid out as `l` says: header fields, records, then the backing name over them. */
function build(l: Layout): Built {
  const base = bases.get(l.base)!;
  const bytes = base.bytes.slice();
  const view = new DataView(bytes.buffer);
  const cs = base.clusterSizeBytes;
  const extStartBytes = base.v2 ? 72 : 104 + 8 * l.headerLengthSteps;
  if (!base.v2) view.setUint32(100, extStartBytes);
  bytes.fill(0, base.v2 ? 72 : 104, cs);
  let pos = extStartBytes;
  for (const r of l.records) {
    if (pos + 8 > cs) break;
    view.setUint32(pos, r.type);
    view.setUint32(pos + 4, r.lengthBytes);
    const dataEnd = Math.min(cs, pos + 8 + r.lengthBytes);
    bytes.fill(0x61, pos + 8, dataEnd);
    pos = pos + 8 + Math.ceil(r.lengthBytes / 8) * 8;
  }
  let backingOffsetBytes = 0;
  if (l.backing.kind === 'near') backingOffsetBytes = Math.max(1, extStartBytes + l.backing.delta);
  if (l.backing.kind === 'any') backingOffsetBytes = Math.max(1, Math.floor(l.backing.fraction * cs));
  const nameBytes = backingOffsetBytes === 0 ? 0 : Math.min(l.backingNameBytes, cs - backingOffsetBytes);
  view.setBigUint64(8, BigInt(backingOffsetBytes));
  view.setUint32(16, nameBytes);
  // A name that starts inside the header is the header's own bytes there: only the rest is written.
  bytes.fill(0x62, Math.max(backingOffsetBytes, extStartBytes), backingOffsetBytes + nameBytes);
  return { bytes, clusterSizeBytes: cs, extStartBytes, backingOffsetBytes, backingNameBytes: nameBytes };
}

interface Verdict {
  refused: boolean;
  paddingUnderName: boolean;
  nameInHeader: boolean;
}

/**
 * The rules, walked as QEMU walks the records: read 8 bytes of type and length (even past the end),
 * refuse if they or the data pass the end, stop at type 0, skip the padded data. The end is the
 * backing name's offset when there is one, else the end of cluster 0.
 */
function model(b: Built): Verdict {
  const view = new DataView(b.bytes.buffer);
  const end = b.backingOffsetBytes !== 0 ? b.backingOffsetBytes : b.clusterSizeBytes;
  const nameEndsArea = b.backingOffsetBytes !== 0 && b.backingOffsetBytes < b.clusterSizeBytes;
  const nameInHeader = b.backingNameBytes > 0 && b.backingOffsetBytes < b.extStartBytes;
  let off = b.extStartBytes;
  while (off < end) {
    const type = view.getUint32(off);
    const len = view.getUint32(off + 4);
    off += 8;
    if (off > end || len > end - off) return { refused: true, paddingUnderName: false, nameInHeader };
    if (type === 0) break;
    off += Math.ceil(len / 8) * 8;
    if (off > end && nameEndsArea) return { refused: false, paddingUnderName: true, nameInHeader };
  }
  return { refused: false, paddingUnderName: false, nameInHeader };
}

/** What crashcow's open stage says about the same bytes. */
function judged(b: Built): Verdict & { opened: boolean } {
  const sink = new FindingSink();
  const opened = openStage(bytesSource(b.bytes), sink) !== null;
  const has = (rule: string, kind: string) => sink.findings.some((f) => f.rule === rule && f.kind === kind);
  return { refused: has('EXT-1', 'check-error'), paddingUnderName: has('EXT-1', 'corruption'), nameInHeader: has('HDR-5', 'corruption'), opened };
}

describe('header extension bounds (EXT-1, HDR-5)', () => {
  it(`the open stage matches the rules on every layout (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(layoutArb, (l) => {
        const b = build(l);
        const { opened, ...verdict } = judged(b);
        expect(verdict).toEqual(model(b));
        expect(opened).toBe(!verdict.refused);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it.each(presentQemuBuilds().map((q) => [q.label, q] as const))(`%s refuses exactly what the open stage refuses (${QEMU_RUNS} runs)`, async (_label, q) => {
    const tools = qemuTools(q.dir);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(layoutArb, async (l) => {
        const b = build(l);
        const path = tmp.path(`run-${run++}.qcow2`);
        writeFileSync(path, b.bytes);
        const info = await tools.img(['info', '-f', 'qcow2', path]);
        const theirs = info.stderr.includes('Header extension too large');
        expect(judged(b).refused, info.stderr).toBe(theirs);
        expect(judged(b).opened, info.stderr).toBe(info.exitCode === 0);
      }),
      { seed: SEED, numRuns: QEMU_RUNS },
    );
  }, 120_000);
});
