/**
 * Hostile input (HDR-*, EXT-1, RC-1, L1-2, L2-3, SN-*, BM-*, AL-*): crashcow check on
 * mutated headers and tables of small real images always ends in a report (or a FormatError naming
 * its rule), never in any other exception; and nothing sized by a header field is allocated before
 * that field is checked against a named limit. How long each case takes is a benchmark
 * (`npm run bench:hostile-input`), not an assertion here: a timed test fails on a slow machine.
 *
 * Seeded (CRASHCOW_PROPERTY_SEED, default 20240601); CRASHCOW_PROPERTY_RUNS sets the number of runs
 * (300 by default). A failure prints the seed and path that replay it.
 */
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../spec/format/byte-source.js';
import { ruleOf } from '../spec/invariants/catalogue.js';
import { checkImage } from '../src/check/check-image.js';
import { exitCodeOf } from '../src/check/check-report.js';
import { tempDir } from '../test/helpers/qemu.js';
import { checkOrFormatError, farSnapshotL1, headerLimitCases, makeHostileOriginals, poked, repeatedL2, sparseCases, sparseSource } from './hostile-cases.js';
import { mutate, mutationArb, type Mutation } from './hostile-mutations.js';

const runs = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 300);
const seed = Number(process.env.CRASHCOW_PROPERTY_SEED ?? 20240601);
const schema = JSON.parse(readFileSync(new URL('../spec/schemas/check.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tmp = tempDir('crashcow-hostile-');
afterAll(() => tmp.cleanup());

/** ArrayBuffer growth allowed while checking one hostile image: far below what its header asks for. */
const GROWTH_BYTES_MAX = 16 * 1024 * 1024;

let originals: Uint8Array[] = [];

beforeAll(async () => {
  originals = await makeHostileOriginals((name) => tmp.path(name));
});

/** Bytes of ArrayBuffer memory that `run` left allocated (a bound on what it sized from the input). */
function arrayBufferGrowth<T>(run: () => T): { result: T; grownBytes: number } {
  const before = process.memoryUsage().arrayBuffers;
  const result = run();
  return { result, grownBytes: process.memoryUsage().arrayBuffers - before };
}

describe('hostile input', () => {
  it(`every mutated image ends in a report or a FormatError (${runs} runs)`, () => {
    fc.assert(
      fc.property(fc.nat({ max: 3 }), mutationArb, (which, m: Mutation[]) => {
        const report = checkOrFormatError(bytesSource(mutate(originals[which], m)));
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
  it.each(headerLimitCases)('%s: a check error naming the rule, without a big allocation', (_name, poke, rule) => {
    const bytes = poked(originals, poke);
    const { result: report, grownBytes } = arrayBufferGrowth(() => checkOrFormatError(bytesSource(bytes)));
    expect(grownBytes).toBeLessThan(GROWTH_BYTES_MAX);
    expect(report).not.toBeNull();
    expect(exitCodeOf(report!)).toBe(1);
    expect(report!.findings.map((f) => f.rule)).toContain(rule);
  });

  it.each(sparseCases)('a sparse file of %i bytes in 512-byte clusters: %s, before any per-cluster allocation', (sizeBytes, rule) => {
    const { result: report, grownBytes } = arrayBufferGrowth(() => checkImage(sparseSource(originals, sizeBytes), 'sparse.qcow2'));
    expect(grownBytes).toBeLessThan(GROWTH_BYTES_MAX);
    expect(report.findings.map((f) => f.rule)).toContain(rule);
    expect(exitCodeOf(report)).toBe(1);
  });

  it('an L1 table mapping one L2 table 8192 times stops at the scan budget (CRASHCOW-SCAN-BUDGET)', () => {
    const report = checkOrFormatError(bytesSource(repeatedL2(originals)));
    expect(report!.findings.map((f) => f.rule)).toContain('CRASHCOW-SCAN-BUDGET');
    expect(exitCodeOf(report!)).toBe(1);
  });

  it('a snapshot L1 table of 4 M entries past the end of the file is walked without reading it', () => {
    const bytes = farSnapshotL1(originals);
    const { result: report, grownBytes } = arrayBufferGrowth(() => checkOrFormatError(bytesSource(bytes)));
    expect(grownBytes).toBeLessThan(GROWTH_BYTES_MAX);
    expect(report!.findings.map((f) => f.rule)).toContain('AL-4');
  });
});
