/**
 * `crashcow fuzz` and `crashcow replay` as a user runs them (the built CLI): exit codes, the JSON
 * summary and its coverage, saved cases that replay (1 while the defect is there, 0 once it is
 * gone, 2 for an invalid case, 3 for a case whose engine wrote something else than it records;
 * with --expect, 0 while every case does what it records), --judge (the same verdicts either way)
 * and --max-findings (the campaign ends at the Nth finding saved), and the setup error when
 * qemu-io is missing.
 */
import Ajv from 'ajv';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGE_OPTION_COVERAGE } from '../../../src/fuzz/coverage/image-option-coverage.js';
import { FUZZ_OP_KINDS } from '../../../src/fuzz/model/fuzz-op.js';
import { crashcow } from '../../helpers/crashcow-cli.js';

const summarySchema = JSON.parse(readFileSync(new URL('../../../spec/schemas/fuzz-summary.schema.json', import.meta.url), 'utf8'));
const validSummary = new Ajv({ allErrors: true, strict: true }).compile(summarySchema);
/** The --output json summary, checked against spec/schemas/fuzz-summary.schema.json. */
function summaryOf(stdout: string) {
  const summary = JSON.parse(stdout);
  expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
  return summary;
}

const dir = mkdtempSync(join(tmpdir(), 'crashcow-fuzz-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crashcow fuzz', () => {
  it('prints one JSON summary and exits 0 when nothing is found', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--seed', '5', '--runs', '4', '--lazy-refcounts', 'off', '--output', 'json', '--corpus', join(dir, 'none')]);
    expect(r.exitCode).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ engine: 'builtin', engineVersion: 'crashcow-builtin 0.1.0', seed: 5, runs: 4, findings: [], knownRepeats: 0 });
    expect(summary.crashStates).toBeGreaterThan(0);
    expect(typeof summary.statesPerSecond).toBe('number');
  });

  it('counts coverage: every op kind and option value listed, zeros for those not drawn, the counts adding up', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--seed', '3', '--runs', '8', '--lazy-refcounts', 'off', '--max-commands', '10', '--states-per-crash', '32', '--output', 'json', '--corpus', join(dir, 'coverage')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const { runs, crashStates, coverage } = summaryOf(r.stdout) as { runs: number; crashStates: number; coverage: { opKinds: Record<string, { runs: number; ops: number; crashPoints: number; crashStates: number }>; imageOptions: Record<string, Record<string, number>> } };
    expect(Object.keys(coverage.opKinds)).toEqual([...FUZZ_OP_KINDS]);
    expect(Object.keys(coverage.imageOptions)).toEqual(Object.keys(IMAGE_OPTION_COVERAGE));
    for (const [name, option] of Object.entries(IMAGE_OPTION_COVERAGE)) {
      expect(Object.keys(coverage.imageOptions[name]), name).toEqual(option.values);
      expect(Object.values(coverage.imageOptions[name]).reduce((n, v) => n + v, 0), `${name}: one value per run`).toBe(runs);
    }
    expect(coverage.imageOptions.lazyRefcounts, '--lazy-refcounts off: true never drawn, listed at 0').toEqual({ false: runs, true: 0 });
    const kinds = Object.values(coverage.opKinds);
    expect(kinds.reduce((n, k) => n + k.crashStates, 0), 'states by the op in flight add up to the states').toBe(crashStates);
    expect(kinds.some((k) => k.runs === 0 && k.ops === 0), 'a short campaign leaves some kind undrawn, listed at 0').toBe(true);
    for (const k of kinds) expect(k.runs).toBeLessThanOrEqual(Math.min(runs, k.ops));
    expect(coverage.opKinds.crash.runs, 'every run ends with a crash').toBe(runs);
    const human = await crashcow(['fuzz', '--engine', 'builtin', '--seed', '3', '--runs', '2', '--lazy-refcounts', 'off', '--max-commands', '10', '--states-per-crash', '32', '--corpus', join(dir, 'coverage')]);
    expect(human.stdout).toMatch(/^coverage by op kind \(runs\/ops\/crash points\/crash states while one was in flight\): write \d+\/\d+\/\d+\/\d+, /m);
    expect(human.stdout).toMatch(/^coverage by image option \(runs\): clusterSizeBytes 512:\d+ /m);
  });

  it('saves a mutant finding as a case that replays: 1 with the mutant, 0 without, 2 when invalid', async () => {
    const corpus = join(dir, 'found');
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--mutant', 'refcount-after-l2', '--seed', '1', '--runs', '20', '--lazy-refcounts', 'off', '--output', 'json', '--corpus', corpus]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr, 'the progress line counts the runs made while shrinking').toMatch(/fuzz: runs \d+ \(\+\d+ shrinking\) · /);
    const { findings } = summaryOf(r.stdout) as { findings: Array<{ property: string; caseFile: string }> };
    expect(findings.length).toBeGreaterThan(0);
    expect(readdirSync(corpus).length).toBe(findings.length);
    const caseFile = findings[0].caseFile;
    expect((await crashcow(['replay', caseFile])).exitCode).toBe(1);
    const fixed = JSON.parse(readFileSync(caseFile, 'utf8'));
    fixed.engine.mutants = [];
    writeFileSync(join(dir, 'fixed.json'), JSON.stringify(fixed));
    // Without the mutant the failure does not reproduce: it passes, or (when the fixed engine writes
    // other writes, so the recorded state does not exist) it diverges.
    const fixedReplay = await crashcow(['replay', join(dir, 'fixed.json')]);
    expect(fixedReplay.stderr).not.toContain('internal error');
    expect(fixedReplay.stdout).toMatch(fixedReplay.exitCode === 3 ? /: diverged: / : /no longer fails/);
    expect([0, 3]).toContain(fixedReplay.exitCode);
    const passes = await crashcow(['replay', fileURLToPath(new URL('../../../corpus/builtin-resize-shrink-size-before-unlinks.json', import.meta.url))]);
    expect(passes.exitCode).toBe(0);
    expect(passes.stdout).toContain('no longer fails');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...fixed, operations: 'none' }));
    const bad = await crashcow(['replay', join(dir, 'bad.json')]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('not a valid crashcow case');
  });

  it('replay --expect exits 0 when every case does what it records and 1 when one does not', async () => {
    const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));
    const failing = join(corpus, 'builtin-mutant-l1-before-l2.json');
    const fixed = join(corpus, 'builtin-resize-shrink-size-before-unlinks.json');
    const asRecorded = await crashcow(['replay', '--expect', failing, fixed]);
    expect(asRecorded.exitCode).toBe(0);
    expect(asRecorded.stdout).toContain('2 case(s): 2 as recorded, 0 not');
    const flipped = join(dir, 'flipped.json');
    writeFileSync(flipped, JSON.stringify({ ...JSON.parse(readFileSync(fixed, 'utf8')), expectations: { builtin: 'fails' } }));
    const differs = await crashcow(['replay', '--expect', failing, flipped]);
    expect(differs.exitCode).toBe(1);
    expect(differs.stdout).toContain(`${flipped}: NOT AS RECORDED: expected to fail, it passes`);
    expect(differs.stdout).toContain('2 case(s): 1 as recorded, 1 not');
  });

  it('replay exits 3 for a diverged case (its crash state does not exist in the replay), never an internal error', async () => {
    const recorded = JSON.parse(readFileSync(fileURLToPath(new URL('../../../corpus/builtin-mutant-l1-before-l2.json', import.meta.url)), 'utf8'));
    // A state id whose runs cover more sectors than this replay's crash point touches: what a case
    // holds when the engine wrote other writes when it was recorded.
    const diverged = join(dir, 'diverged.json');
    writeFileSync(diverged, JSON.stringify({ ...recorded, crash: { ...recorded.crash, stateId: 'c3.g9.z0.1:500' } }));
    const r = await crashcow(['replay', diverged]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain(`${diverged}: diverged: the engine wrote something else than the case records`);
    expect(r.stdout).toContain('runs cover more than the');
    expect(r.stderr).not.toContain('internal error');
    // A crash point past the operations the replay recorded diverges the same way.
    const past = join(dir, 'diverged-past.json');
    writeFileSync(past, JSON.stringify({ ...recorded, crash: { ...recorded.crash, stateId: 'c99.g9.z0' } }));
    expect((await crashcow(['replay', past])).exitCode).toBe(3);
    // Exit 2 (an invalid case) wins over 3; 3 wins over 1 (a case that reproduces).
    const invalid = join(dir, 'malformed-id.json');
    writeFileSync(invalid, JSON.stringify({ ...recorded, crash: { ...recorded.crash, stateId: 'not-a-state' } }));
    expect((await crashcow(['replay', diverged, invalid])).exitCode).toBe(2);
    const reproduces = fileURLToPath(new URL('../../../corpus/builtin-mutant-l1-before-l2.json', import.meta.url));
    expect((await crashcow(['replay', reproduces, diverged])).exitCode).toBe(3);
    // --expect: a diverged case does not reproduce: not as recorded for `fails`, as recorded for `passes`.
    const expect1 = await crashcow(['replay', '--expect', reproduces, diverged]);
    expect(expect1.exitCode).toBe(1);
    expect(expect1.stdout).toContain(`${diverged}: NOT AS RECORDED: expected to fail, it diverged`);
    expect(expect1.stdout).toContain('2 case(s): 1 as recorded, 1 not');
    // The older single `expectation: passes` accepts a diverged replay; a per-version record says which it is.
    const divergedPasses = join(dir, 'diverged-passes.json');
    writeFileSync(divergedPasses, JSON.stringify({ ...recorded, expectations: undefined, expectation: 'passes', crash: { ...recorded.crash, stateId: 'c99.g9.z0' } }));
    expect((await crashcow(['replay', '--expect', divergedPasses])).exitCode).toBe(0);
    const recordedPasses = join(dir, 'diverged-recorded-passes.json');
    writeFileSync(recordedPasses, JSON.stringify({ ...recorded, expectations: { builtin: 'passes' }, crash: { ...recorded.crash, stateId: 'c99.g9.z0' } }));
    const notPasses = await crashcow(['replay', '--expect', recordedPasses]);
    expect(notPasses.exitCode).toBe(1);
    expect(notPasses.stdout).toContain(`${recordedPasses}: NOT AS RECORDED: expected to pass, it diverged (version builtin)`);
    const recordedDiverges = join(dir, 'diverged-recorded.json');
    writeFileSync(recordedDiverges, JSON.stringify({ ...recorded, expectations: { builtin: 'diverges' }, crash: { ...recorded.crash, stateId: 'c99.g9.z0' } }));
    expect((await crashcow(['replay', '--expect', recordedDiverges])).exitCode).toBe(0);
  });

  it('--known DIR: a failure a still-failing case there records is a repeat, neither shrunk nor saved', async () => {
    const known = join(dir, 'known');
    mkdirSync(known);
    copyFileSync(fileURLToPath(new URL('../../../corpus/builtin-mutant-l1-before-l2.json', import.meta.url)), join(known, 'l1.json'));
    const args = ['fuzz', '--engine', 'builtin', '--mutant', 'l1-before-l2', '--seed', '1', '--runs', '20', '--lazy-refcounts', 'off', '--output', 'json'];
    const signatures = (stdout: string) => (JSON.parse(stdout) as { findings: Array<{ property: string; rules: string[] }> }).findings.map((f) => `${f.property} [${f.rules.join(', ')}]`);
    const plain = await crashcow([...args, '--corpus', join(dir, 'known-plain')]);
    expect(signatures(plain.stdout)).toContain('P1 [AL-4]');
    const skipping = await crashcow([...args, '--corpus', join(dir, 'known-skip'), '--known', known]);
    expect(signatures(skipping.stdout)).not.toContain('P1 [AL-4]');
    expect(summaryOf(skipping.stdout).knownRepeats).toBeGreaterThan(0);
    const missing = await crashcow(['fuzz', '--known', join(dir, 'no-such-dir')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--known');
  });

  it('counts a finding two jobs both make once, in the progress line as in the summary', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--mutant', 'l1-before-l2', '--seed', '1', '--runs', '20', '--jobs', '2', '--lazy-refcounts', 'off', '--output', 'json', '--corpus', join(dir, 'two-jobs')]);
    const { findings } = summaryOf(r.stdout) as { findings: Array<{ property: string; rules: string[] }> };
    const saved = findings.length;
    expect(saved).toBeGreaterThan(0);
    const signatures = findings.map((f) => `${f.property}:${f.rules.join(',')}`);
    expect(new Set(signatures).size, 'the campaign saves each signature once').toBe(saved);
    expect(readdirSync(join(dir, 'two-jobs'))).toHaveLength(saved);
    const counts = [...r.stderr.matchAll(/ findings (\d+) · /g)].map((m) => Number(m[1]));
    expect(counts.at(-1)).toBe(saved);
    expect(Math.max(...counts)).toBe(saved);
  });

  it('splits work over jobs and shards deterministically', async () => {
    const args = ['fuzz', '--engine', 'builtin', '--seed', '9', '--runs', '20', '--lazy-refcounts', 'off', '--output', 'json', '--corpus', join(dir, 'shards')];
    const whole = JSON.parse((await crashcow([...args, '--jobs', '2'])).stdout);
    const first = JSON.parse((await crashcow([...args, '--shard', '1/2'])).stdout);
    const second = JSON.parse((await crashcow([...args, '--shard', '2/2'])).stdout);
    expect(whole.runs).toBe(20);
    expect(first.runs + second.runs).toBe(20);
    expect(first.crashStates + second.crashStates).toBe(whole.crashStates);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('stops cleanly on %s, leaving no temporary files', async (signal) => {
    const mainJs = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
    const tmp = join(dir, `tmp-${signal}`);
    mkdirSync(tmp);
    const child = execa(process.execPath, [mainJs, 'fuzz', '--engine', 'qemu', '--time', '60', '--output', 'json', '--corpus', join(dir, `interrupted-${signal}`)], { reject: false, env: { TMPDIR: tmp } });
    // Wait for the campaign to start (its temporary directory appears), however slow the machine.
    let exited = false;
    void child.finally(() => (exited = true));
    while (!exited && readdirSync(tmp).length === 0) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(tmp).length, 'the campaign made its temporary directory').toBeGreaterThan(0);
    child.kill(signal);
    const r = await child;
    expect([0, 1]).toContain(r.exitCode);
    expect(JSON.parse(r.stdout).engine).toBe('qemu');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('--judge full and --judge incremental judge the same states with the same verdicts; the summary says how each state was checked', async () => {
    const args = ['fuzz', '--engine', 'builtin', '--mutant', 'refcount-after-l2', '--seed', '3', '--runs', '10', '--lazy-refcounts', 'random', '--output', 'json'];
    const full = summaryOf((await crashcow([...args, '--judge', 'full', '--corpus', join(dir, 'judge-full')])).stdout);
    const incremental = summaryOf((await crashcow([...args, '--corpus', join(dir, 'judge-incremental')])).stdout);
    const verdicts = (s: { runs: number; crashStates: number; findings: Array<{ property: string; rules: string[] }>; batches: unknown[] }) => ({ runs: s.runs, crashStates: s.crashStates, batches: s.batches, findings: s.findings.map((f) => `${f.property} [${f.rules.join(', ')}]`) });
    expect(verdicts(incremental)).toEqual(verdicts(full));
    expect(full.findings.length).toBeGreaterThan(0);
    expect(full.judge).toMatchObject({ mode: 'full', incrementalChecks: 0 });
    expect(full.judge.fullChecks).toBeGreaterThan(0);
    expect(incremental.judge.mode).toBe('incremental');
    expect(incremental.judge.incrementalChecks).toBeGreaterThan(incremental.judge.fullChecks);
  });

  it('--max-findings N ends a timed campaign once N findings are saved, and saves no more', async () => {
    const corpus = join(dir, 'max-findings');
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--mutant', 'refcount-after-l2', '--seed', '1', '--time', '300', '--max-findings', '1', '--lazy-refcounts', 'off', '--output', 'json', '--corpus', corpus]);
    expect(r.exitCode).toBe(1);
    const summary = summaryOf(r.stdout);
    expect(summary.findings).toHaveLength(1);
    expect(readdirSync(corpus)).toHaveLength(1);
    expect(summary.campaign).toMatchObject({ timeSeconds: 300, maxFindings: 1 });
    // The budget was 300 s; the campaign stopped at its first finding, in the batch that made it.
    expect(summary.elapsedSeconds).toBeLessThan(300);
    expect(summary.batches.at(-1).ended).toBe('finding');
  });

  it('rejects bad flags with exit 2', async () => {
    expect((await crashcow(['fuzz', '--runs', '3', '--time', '3'])).exitCode).toBe(2);
    expect((await crashcow(['fuzz', '--mutant', 'no-such-mutant'])).exitCode).toBe(2);
    expect((await crashcow(['fuzz', '--shard', '3/2'])).exitCode).toBe(2);
    const zero = await crashcow(['fuzz', '--runs', '0']);
    expect(zero.exitCode).toBe(2);
    expect(zero.stderr).toContain('--runs must be at least 1');
    expect((await crashcow(['fuzz', '--time', '0'])).exitCode).toBe(2);
    expect((await crashcow(['fuzz', '--judge', 'partial'])).exitCode).toBe(2);
    const noFindings = await crashcow(['fuzz', '--max-findings', '0']);
    expect(noFindings.exitCode).toBe(2);
    expect(noFindings.stderr).toContain('--max-findings must be at least 1');
  });

  it('exits 2 with a clear message when qemu-io is missing for --engine qemu', async () => {
    const mainJs = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
    const r = await execa(process.execPath, [mainJs, 'fuzz', '--engine', 'qemu', '--runs', '1'], { reject: false, env: { PATH: join(dir, 'no-bin') }, extendEnv: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/qemu-(io|img) not found.*qemu-utils/);
  });
});

describe('crashcow fuzz --faults eio', () => {
  it('finds link-after-failed-write with a case that records its fault, replays and is explained', async () => {
    const corpus = join(dir, 'eio');
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--faults', 'eio', '--mutant', 'link-after-failed-write', '--seed', '1', '--runs', '60', '--corpus', corpus]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/faults: eio \(runs: 0 power, \d+ eio with the I\/O error fired in \d+, 0 damage/);
    const file = join(corpus, readdirSync(corpus)[0]);
    const c = JSON.parse(readFileSync(file, 'utf8'));
    expect(c.fault).toMatchObject({ kind: 'eio', errno: expect.stringMatching(/^(EIO|ENOSPC)$/) });
    expect(file).toContain('-eio-');
    expect((await crashcow(['replay', file])).exitCode).toBe(1);
    const e = await crashcow(['explain', file]);
    expect(e.exitCode).toBe(0);
    expect(e.stdout).toMatch(/^fault: (EIO|ENOSPC) /m);
    expect(e.stdout).toContain('[I/O-error fault armed here');
  });

  it('runs clean on the unmutated engine, and refuses an unknown fault kind', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--faults', 'eio', '--seed', '5', '--runs', '8', '--output', 'json', '--corpus', join(dir, 'eio-clean')]);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(summaryOf(r.stdout).findings).toEqual([]);
    const bad = await crashcow(['fuzz', '--engine', 'builtin', '--faults', 'disk-on-fire', '--runs', '1']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--faults must be one of power, eio');
  });
});
