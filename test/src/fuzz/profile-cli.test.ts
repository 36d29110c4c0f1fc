/**
 * `crashcow fuzz --profile`: a bad profile name is a usage error (exit 2, one line); a built-in
 * campaign in the large profile runs end to end and says so in its summary's campaign object; and
 * a large-profile finding's case replays on a rebuilt image (filled, with the fill's snapshots).
 */
import Ajv from 'ajv';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { imageOptionsArb } from '../../../src/fuzz/commands/image-options-arb.js';
import { finalizeFailure } from '../../../src/fuzz/campaign/finalize-failure.js';
import { readCase, writeCase } from '../../../src/fuzz/case/fuzz-case.js';
import { replayToCrash } from '../../../src/fuzz/case/replay-to-state.js';
import { FuzzRun } from '../../../src/fuzz/runner/fuzz-run.js';
import { isFailure } from '../../../src/fuzz/runner/run-outcome.js';
import { BuiltinTarget } from '../../../src/fuzz/target/builtin-target.js';
import { toByteSource } from '../../../src/storage/to-byte-source.js';
import fc from 'fast-check';
import { crashcow } from '../../helpers/crashcow-cli.js';

const summarySchema = JSON.parse(readFileSync(new URL('../../../spec/schemas/fuzz-summary.schema.json', import.meta.url), 'utf8'));
const validSummary = new Ajv({ allErrors: true, strict: true }).compile(summarySchema);

const dir = mkdtempSync(join(tmpdir(), 'crashcow-profile-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crashcow fuzz --profile', () => {
  it('rejects an unknown profile with exit 2 and a one-line message (then the usage line, as for every bad flag)', async () => {
    const r = await crashcow(['fuzz', '--profile', 'huge', '--runs', '1']);
    expect(r.exitCode).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('crashcow fuzz: --profile must be one of small, growth, large; got "huge"');
    expect(lines.slice(1).every((l) => l.startsWith('usage: '))).toBe(true);
  });

  it('runs a built-in campaign in the large profile, recorded in the campaign object', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--profile', 'large', '--seed', '2', '--runs', '1', '--max-commands', '2', '--states-per-crash', '2', '--output', 'json', '--corpus', join(dir, 'large')]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
    expect(summary.campaign.image).toEqual({ profile: 'large' });
    expect(summary.runs).toBe(1);
    expect(summary.crashStates).toBeGreaterThan(0);
  }, 120_000);

  it('saves a large-profile finding as a case whose replay rebuilds the filled image with its snapshots', async () => {
    // Arrange: a mutant that links a new cluster before its refcount is written, and a write past the
    // fill (write-through: the L2 entry and the refcount reach the file in the write's own epochs).
    const [options] = fc.sample(imageOptionsArb({ profile: 'large', lazyRefcounts: false, cacheMode: 'writethrough' }), { numRuns: 1, seed: 1 });
    const target = new BuiltinTarget({ mutants: ['refcount-after-l2'] });
    const run = await FuzzRun.start({ target, options, seed: 7, statesPerCrash: 8 });
    await run.apply({ kind: 'write', offsetBytes: 512 << 20, lengthBytes: 4096, writeId: run.takeWriteId() });
    await run.apply({ kind: 'crash' });
    const outcome = await run.finish();
    if (!isFailure(outcome)) throw new Error(`expected the mutant to break a property, got ${outcome.verdict}`);
    // Act: the case as a campaign saves it, then replayed through the CLI and up to its crash.
    const c = await finalizeFailure({ options, contentSeed: 7, outcome, fastCheckSeed: 0, path: '' }, { target, mutants: ['refcount-after-l2'], statesPerCrash: 8, campaignSeed: 1 });
    const file = join(dir, 'large-case.json');
    writeCase(file, { ...c, replay: `crashcow replay ${file}` });
    const replayed = await crashcow(['replay', file]);
    const rebuilt = await replayToCrash(readCase(file), new BuiltinTarget({ mutants: ['refcount-after-l2'] }));
    // Assert
    expect(readCase(file).image).toMatchObject({ profile: 'large', fillBytes: 100 << 20, fillSnapshots: 3 });
    expect(replayed.stderr).toContain('large profile: 1 KiB clusters, 1024 MiB');
    expect(replayed.exitCode, replayed.stdout + replayed.stderr).toBe(1);
    if (rebuilt.kind !== 'crash') throw new Error(`expected the crash, got ${rebuilt.kind}`);
    const header = readImageMeta(toByteSource(rebuilt.recorded.segmentBase)).header;
    expect(header.snapshotCount).toBe(3);
    expect(header.refcountTableClusters).toBeGreaterThan(1);
  }, 180_000);
});
