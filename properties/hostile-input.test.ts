/**
 * Item 9, hostile input (HDR-*, EXT-1, RC-1, L1-2, L2-3, SN-*, BM-*, AL-*): crashcow check on
 * mutated headers and tables of small real images always ends in a report (or a FormatError naming
 * its rule), never in any other exception, within 2 s; and nothing sized by a header field is
 * allocated before that field is checked against a named limit.
 *
 * Seeded (CRASHCOW_PROPERTY_SEED, default 20240601); CRASHCOW_PROPERTY_RUNS sets the number of runs
 * (300 by default). A failure prints the seed and path that replay it.
 */
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../spec/format/byte-source.js';
import { isFormatError } from '../spec/format/format-error.js';
import { ruleOf } from '../spec/invariants/catalogue.js';
import { checkImage } from '../src/check/check-image.js';
import { exitCodeOf, type CheckReport } from '../src/check/check-report.js';
import { qemuImgOk, qemuIo, tempDir } from '../test/helpers/qemu.js';
import { mutate, mutationArb, type Mutation } from './hostile-mutations.js';

const runs = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 300);
const seed = Number(process.env.CRASHCOW_PROPERTY_SEED ?? 20240601);
const schema = JSON.parse(readFileSync(new URL('../spec/schemas/check.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tmp = tempDir('crashcow-hostile-');
afterAll(() => tmp.cleanup());

const originals: Uint8Array[] = [];

beforeAll(async () => {
  const make = async (name: string, opts: string, io: string[], snapshot: boolean, bitmap: boolean) => {
    const p = tmp.path(name);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', opts, p, '8M']);
    if (bitmap) await qemuImgOk(['bitmap', '--add', p, 'b1']);
    await qemuIo(p, io);
    if (snapshot) {
      await qemuImgOk(['snapshot', '-c', 's1', p]);
      await qemuIo(p, ['write -P 9 0 8k']);
    }
    originals.push(new Uint8Array(readFileSync(p)));
  };
  await make('v3.qcow2', 'cluster_size=64k', ['write -P 1 0 200k', 'write -P 2 4M 64k'], true, true);
  await make('v2.qcow2', 'compat=0.10,cluster_size=4k', ['write -P 3 0 40k', 'write -P 4 3M 8k'], true, false);
  await make('xl2.qcow2', 'extended_l2=on,cluster_size=16k,refcount_bits=4', ['write -P 5 4k 20k', 'write -z 64k 16k'], false, false);
  await make('small.qcow2', 'cluster_size=512,refcount_bits=64', ['write -P 6 0 4k', 'write -P 7 1M 1k'], true, false);
});

/** Runs check; returns the report, or null when a FormatError naming a rule escaped. Throws anything else. */
function checkOrFormatError(bytes: Uint8Array): { report: CheckReport | null; ms: number } {
  const t0 = performance.now();
  try {
    const report = checkImage(bytesSource(bytes), 'hostile.qcow2');
    return { report, ms: performance.now() - t0 };
  } catch (err) {
    if (isFormatError(err) && /^[A-Z0-9]+(-[A-Z0-9]+)+$/.test(err.rule)) return { report: null, ms: performance.now() - t0 };
    throw err;
  }
}

describe('hostile input (item 9)', () => {
  it(`every mutated image ends in a report or a FormatError, within 2 s (${runs} runs)`, () => {
    fc.assert(
      fc.property(fc.nat({ max: 3 }), mutationArb, (which, m: Mutation[]) => {
        const bytes = mutate(originals[which], m);
        const { report, ms } = checkOrFormatError(bytes);
        expect(ms).toBeLessThan(2000);
        if (report === null) return;
        expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).toBe(true);
        expect([0, 1, 2, 3]).toContain(exitCodeOf(report));
        for (const f of report.findings) expect(ruleOf(f.rule), `${f.rule} is in the rule catalogue`).toBeDefined();
        if (exitCodeOf(report) === 1) expect(report.findings.some((f) => f.kind === 'check-error')).toBe(true);
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('header fields are checked against named limits before anything is sized from them', () => {
  const cases: [string, (b: DataView) => void, string][] = [
    ['l1_size = 2^32 - 1', (v) => v.setUint32(36, 0xffffffff), 'QIMPL-L1-SIZE'],
    ['a 2^40-byte refcount table', (v) => v.setUint32(56, 2 ** 40 / 65536), 'QIMPL-REFTABLE-SIZE'],
    ['refcount_table_clusters = 2^32 - 1', (v) => v.setUint32(56, 0xffffffff), 'QIMPL-REFTABLE-SIZE'],
    ['nb_snapshots = 2^32 - 1', (v) => v.setUint32(60, 0xffffffff), 'QIMPL-SNAPSHOT-COUNT'],
    ['header_length = 2^32 - 8', (v) => v.setUint32(100, 0xfffffff8), 'QIMPL-HEADER-LENGTH'],
    ['virtual size 2^63', (v) => v.setBigUint64(24, 2n ** 63n), 'CRASHCOW-SIZE'],
    ['L1 table at 2^63 - 64 KiB', (v) => v.setBigUint64(40, 2n ** 63n - 65536n), 'QIMPL-IO-RANGE'],
    ['L1 table at 2^64 - 64 KiB', (v) => v.setBigUint64(40, 2n ** 64n - 65536n), 'HDR-7'],
    ['first extension 2^32 - 1 bytes long', (v) => v.setUint32(v.getUint32(100) + 4, 0xffffffff), 'EXT-1'],
  ];
  it.each(cases)('%s: a check error naming the rule, fast, without a big allocation', (_name, poke, rule) => {
    const bytes = originals[0].slice();
    poke(new DataView(bytes.buffer));
    const before = process.memoryUsage().arrayBuffers;
    const { report, ms } = checkOrFormatError(bytes);
    const grownBytes = process.memoryUsage().arrayBuffers - before;
    expect(ms).toBeLessThan(500);
    expect(grownBytes).toBeLessThan(16 * 1024 * 1024);
    expect(report).not.toBeNull();
    expect(exitCodeOf(report!)).toBe(1);
    expect(report!.findings.map((f) => f.rule)).toContain(rule);
  });

  it.each([
    [2 ** 38, 'CRASHCOW-CHECK-CLUSTERS'],
    [2 ** 40, 'QIMPL-FILE-CLUSTERS'],
  ])('a sparse file of %i bytes in 512-byte clusters: %s, before any per-cluster allocation', (sizeBytes, rule) => {
    const bytes = originals[3];
    const source = { sizeBytes, read: (offsetBytes: number, lengthBytes: number) => bytesSource(bytes).read(offsetBytes, lengthBytes) };
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const report = checkImage(source, 'sparse.qcow2');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    expect(report.findings.map((f) => f.rule)).toContain(rule);
    expect(exitCodeOf(report)).toBe(1);
  });

  it('an L1 table mapping one L2 table 8192 times stops at the scan budget (CRASHCOW-SCAN-BUDGET)', () => {
    const bytes = originals[0].slice();
    const v = new DataView(bytes.buffer);
    const l1 = Number(v.getBigUint64(40));
    const firstEntry = v.getBigUint64(l1);
    v.setUint32(36, 8192);
    for (let i = 0; i < 8192; i++) v.setBigUint64(l1 + 8 * i, firstEntry);
    const { report, ms } = checkOrFormatError(bytes);
    expect(ms).toBeLessThan(2000);
    expect(report!.findings.map((f) => f.rule)).toContain('CRASHCOW-SCAN-BUDGET');
    expect(exitCodeOf(report!)).toBe(1);
  });

  it('a snapshot L1 table of 4 M entries past the end of the file is walked without reading it', () => {
    const bytes = originals[0].slice();
    const v = new DataView(bytes.buffer);
    const table = Number(v.getBigUint64(64));
    v.setBigUint64(table, 2n ** 40n);
    v.setUint32(table + 8, 4 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const { report, ms } = checkOrFormatError(bytes);
    expect(ms).toBeLessThan(500);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    expect(report!.findings.map((f) => f.rule)).toContain('AL-4');
  });
});
