/**
 * Repair back under QEMU's limits (QIMPL-SN-TABLE, QIMPL-SNAPSHOT-COUNT, QIMPL-SN-EXTRA,
 * QIMPL-SN-L1-SIZE, SN-1, SN-3, SN-4): `-r all` keeps exactly the snapshots QEMU's rules let it
 * keep and leaves a table QEMU reads.
 *  - Per-entry limits, end to end: random snapshot entries (extra data past 1024 bytes, L1 tables
 *    past 32 MiB or unaligned, too little extra data) laid into a small qemu-img image; after the
 *    repair crashcow and qemu-img check it clean, the guest data is intact, and the snapshots kept
 *    are the ones whose L1 table can be trusted.
 *  - Table limits, on the salvage: tables that cross 64 MiB or 65536 entries at a random point,
 *    with random entries after a bulk that brings them near the limit; the entries kept are those
 *    a model of the rules keeps (cut where an entry's stored end passes 64 MiB or its index reaches
 *    65536, bad entries dropped one by one, and the rewritten table kept under 64 MiB too), and the
 *    spec's own size predicate finds nothing in what is kept.
 * Seeded (CRASHCOW_PROPERTY_SEED); CRASHCOW_PROPERTY_RUNS raises the runs (the table properties
 * run a fiftieth of it, at least 2: each one walks a 64 MiB table or 65536 entries).
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteSource } from '../spec/format/byte-source.js';
import { bytesSource } from '../spec/format/byte-source.js';
import { geometryFromHeader } from '../spec/format/geometry.js';
import { decodeHeader } from '../spec/format/header.js';
import { limits } from '../spec/format/limits.js';
import { decodeSnapshotTable } from '../spec/format/snapshot-table.js';
import { snapshotTableSizeFindings } from '../spec/invariants/snapshots.js';
import { checkImage } from '../src/check/check-image.js';
import { repairImage } from '../src/repair/repair-image.js';
import { salvageSnapshots } from '../src/repair/snapshot-salvage.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { encodeSnapshotEntrySpec, snapshotEntryBytes, withSnapshotTable, type SnapshotEntrySpec } from '../test/helpers/oversized-snapshot-table.js';
import { qemuCheck, qemuImgOk, qemuIo, tempDir } from '../test/helpers/qemu.js';
import { checkDevice, firstDifference, guestBytes } from '../test/src/repair/device-image.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 12);
const TABLE_RUNS = Math.max(2, Math.floor(RUNS / 50));
const SEED = Number(process.env.CRASHCOW_PROPERTY_SEED ?? 0x5171);
const TABLE_LIMIT = limits.snapshotTableSizeBytesMax;

const tmp = tempDir('crashcow-qemu-limits-');
afterAll(() => tmp.cleanup());

let base = new Uint8Array(0);
let l1OffsetBytes = 0;
let guestBefore: Uint8Array = new Uint8Array(0);

beforeAll(async () => {
  const path = tmp.path('base.qcow2');
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', path, '1M']);
  await qemuIo(path, ['write -P 7 0 8k']);
  base = new Uint8Array(readFileSync(path));
  l1OffsetBytes = Number(decodeHeader(base).l1TableOffset);
  guestBefore = guestBytes(MemoryDevice.from(base));
});

type L1Kind = 'empty' | 'huge' | 'unaligned';
const entryArb = (maxIdBytes: number, maxNameBytes: number) =>
  fc.record({
    idBytes: fc.integer({ min: 1, max: maxIdBytes }),
    nameBytes: fc.nat({ max: maxNameBytes }),
    extraBytes: fc.oneof(fc.nat({ max: 40 }), fc.integer({ min: 1000, max: 1100 })),
    l1: fc.constantFrom<L1Kind>('empty', 'empty', 'huge', 'unaligned'),
  });
type DrawnEntry = { idBytes: number; nameBytes: number; extraBytes: number; l1: L1Kind };

/** The entry as written: an empty L1 table, one past QEMU's 32 MiB over the active L1, or an unaligned one. */
function specOf(e: DrawnEntry): SnapshotEntrySpec {
  const l1 = e.l1 === 'huge' ? { l1OffsetBytes, l1EntryCount: limits.l1SizeBytesMax / 8 + 1 } : e.l1 === 'unaligned' ? { l1OffsetBytes: l1OffsetBytes + 512, l1EntryCount: 1 } : {};
  return { idBytes: e.idBytes, nameBytes: e.nameBytes, extraBytes: e.extraBytes, ...l1 };
}

describe('-r all brings snapshot entries back under QEMU\'s per-entry limits', () => {
  it(`clean for crashcow and qemu-img, data intact, the trusted snapshots kept (${RUNS} runs)`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb(8, 8), { minLength: 1, maxLength: 6 }), async (entries) => {
        const device = MemoryDevice.from(withSnapshotTable(base, entries.map((e) => ({ entry: specOf(e) }))));
        const result = repairImage(device, 'all', checkImage);
        expect(result.strategy).not.toBe('refused');
        const { exitCode, report } = checkDevice(device);
        expect(exitCode, report.findings.map((f) => `${f.rule} ${f.where}: ${f.detail}`).join('\n')).toBe(0);
        expect(firstDifference(guestBytes(device), guestBefore)).toBe(-1);
        const bytes = device.read(0, device.sizeBytes);
        const h = decodeHeader(bytes);
        expect(h.snapshotCount).toBe(entries.filter((e) => e.l1 === 'empty').length);
        const kept = decodeSnapshotTable(bytesSource(bytes), Number(h.snapshotsOffset), h.snapshotCount);
        for (const k of kept) expect(k.extraData.length).toBeLessThanOrEqual(limits.snapshotExtraDataBytesMax);
        const path = tmp.path(`run-${run++}.qcow2`);
        writeFileSync(path, bytes);
        const theirs = await qemuCheck(path);
        expect(theirs.exitCode, theirs.stderr).toBe(0);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);
});

/** A table made of runs of repeated entries, read on demand (no memory the size of the table). */
function segmentsSource(tableOffsetBytes: number, segments: ReadonlyArray<{ bytes: Uint8Array; repeat: number }>): ByteSource {
  const starts: number[] = [];
  let end = tableOffsetBytes;
  for (const s of segments) {
    starts.push(end);
    end += s.bytes.length * s.repeat;
  }
  return {
    sizeBytes: end,
    read(offsetBytes: number, lengthBytes: number): Uint8Array {
      const out = new Uint8Array(Math.max(0, Math.min(lengthBytes, end - offsetBytes)));
      let i = 0;
      while (i < out.length) {
        const at = offsetBytes + i;
        let k = starts.length - 1;
        while (k >= 0 && starts[k] > at) k--;
        if (k < 0) {
          i = Math.min(out.length, tableOffsetBytes - offsetBytes);
          continue;
        }
        const seg = segments[k];
        const within = (at - starts[k]) % seg.bytes.length;
        const piece = seg.bytes.subarray(within, Math.min(seg.bytes.length, within + out.length - i));
        out.set(piece, i);
        i += piece.length;
      }
      return out;
    },
  };
}

/**
 * The indexes the rules keep: stop at the entry whose index reaches 65536 or whose stored end
 * passes 64 MiB; drop an entry with an untrusted L1 table; keep the rewritten table (extra data
 * cut to the 24 known bytes past 1024, grown to 16 below 16) under 64 MiB.
 */
function modelKept(entries: readonly DrawnEntry[]): number[] {
  const kept: number[] = [];
  let storedBytes = 0;
  let rewrittenBytes = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const unpadded = snapshotEntryBytes(e);
    if (i >= limits.snapshotCountMax || storedBytes + unpadded > TABLE_LIMIT) break;
    storedBytes += Math.ceil(unpadded / 8) * 8;
    if (e.l1 !== 'empty') continue;
    const extra = e.extraBytes > limits.snapshotExtraDataBytesMax ? 24 : Math.max(16, e.extraBytes);
    const rewritten = 40 + extra + e.idBytes + e.nameBytes;
    if (rewrittenBytes + rewritten > TABLE_LIMIT) break;
    rewrittenBytes += Math.ceil(rewritten / 8) * 8;
    kept.push(i);
  }
  return kept;
}

/** Salvages a table of `bulk` repeated `repeat` times then `tail`, and checks it against the model. */
function salvageMatchesModel(bulk: DrawnEntry, repeat: number, tail: readonly DrawnEntry[]): void {
  const g = geometryFromHeader(decodeHeader(base));
  const tableOffsetBytes = 1 << 20;
  const segments = [bulk, ...tail].map((e, k) => ({ bytes: encodeSnapshotEntrySpec(specOf(e), BigInt(g.virtualSizeBytes)), repeat: k === 0 ? repeat : 1 }));
  const count = repeat + tail.length;
  const ctx = { version: 3, clusterSizeBytes: g.clusterSizeBytes, l2CoverageBytes: g.l2CoverageBytes, externalDataFile: false, refcountBits: g.refcountBits };
  const s = salvageSnapshots(segmentsSource(tableOffsetBytes, segments), BigInt(tableOffsetBytes), count, ctx, g);
  const entryAt = (i: number) => (i < repeat ? bulk : tail[i - repeat]);
  const expected = modelKept(Array.from({ length: count }, (_, i) => entryAt(i)));
  expect(s.kept.map((k) => k.originalIndex)).toEqual(expected);
  const sizes = s.kept.map((k) => {
    const view = new DataView(k.raw.buffer, k.raw.byteOffset, k.raw.byteLength);
    return 40 + view.getUint32(36) + view.getUint16(12) + view.getUint16(14);
  });
  expect(snapshotTableSizeFindings(sizes, tableOffsetBytes)).toEqual([]);
}

describe('the salvage keeps what QEMU\'s table limits allow, and no more is cut', () => {
  it(`a table crossing 64 MiB at a random entry (${TABLE_RUNS} runs)`, () => {
    const bulkArb = fc.record({ idBytes: fc.constant(65535), nameBytes: fc.integer({ min: 60000, max: 65535 }), extraBytes: fc.constantFrom(0, 16), l1: fc.constant<L1Kind>('empty') });
    fc.assert(
      fc.property(bulkArb, fc.integer({ min: -3, max: 1 }), fc.array(entryArb(65535, 65535), { maxLength: 4 }), (bulk, offBy, tail) => {
        const repeat = Math.floor(TABLE_LIMIT / (Math.ceil(snapshotEntryBytes(bulk) / 8) * 8)) + offBy;
        salvageMatchesModel(bulk, repeat, tail);
      }),
      { seed: SEED, numRuns: TABLE_RUNS },
    );
  }, 120_000);

  it(`a table crossing 65536 entries (${TABLE_RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(entryArb(8, 8), { maxLength: 5 }), (under, tail) => {
        salvageMatchesModel({ idBytes: 1, nameBytes: 1, extraBytes: 16, l1: 'empty' }, limits.snapshotCountMax - under, tail);
      }),
      { seed: SEED, numRuns: TABLE_RUNS },
    );
  }, 120_000);
});
