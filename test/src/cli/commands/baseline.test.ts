/**
 * `--baseline` and `--fail-on` as a user runs them (the built CLI, real QEMU binaries):
 * `crashcow fuzz` of a mutant against the unmutated built-in engine classes every finding a
 * regression (JSON summary valid against its schema, counts per class), with worker jobs too, and
 * `--fail-on regression` sets exit 1 only for a regression; `crashcow replay` of QEMU
 * corpus cases, which fail on QEMU 7.2 and 10, classes them pre-existing against the system's QEMU,
 * and `--fail-on regression` then exits 0; a bad baseline is exit 2 naming the problem.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { pathQemuDir, tempDir, unpackedQemuDir } from '../../../helpers/qemu.js';

const validSummary = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(new URL('../../../../spec/schemas/fuzz-summary.schema.json', import.meta.url), 'utf8')));
const corpusFile = (name: string) => fileURLToPath(new URL(`../../../../corpus/${name}.json`, import.meta.url));
const QEMU_CASES = ['qemu-repair-on-open-keeps-l2-past-eof', 'qemu-discard-reuse-before-unlink'].map(corpusFile);
const tmp = tempDir('crashcow-baseline-');
afterAll(tmp.cleanup);
const system = pathQemuDir();
let newer: { dir: string } | { reason: string } = { reason: 'not looked for yet' };
beforeAll(async () => {
  newer = await unpackedQemuDir('10.0.2');
});

describe('crashcow fuzz --baseline', () => {
  it('classes every finding of a mutant against the unmutated built-in engine as a regression', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--mutant', 'refcount-after-l2', '--baseline', 'builtin', '--fail-on', 'regression', '--seed', '1', '--runs', '20', '--output', 'json', '--corpus', tmp.path('found')]);
    expect(r.exitCode, 'a regression fails --fail-on regression').toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
    const findings = summary.findings as Array<{ class: string; baselineDetail: string; caseFile: string }>;
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f).toMatchObject({ class: 'regression', baselineDetail: expect.stringMatching(/^the baseline (passes|breaks .* instead)$/) });
    expect(summary.baseline).toEqual({ spec: 'builtin', version: 'crashcow-builtin 0.1.0', failOn: 'regression', classes: { regression: findings.length, 'pre-existing': 0, diverged: 0 } });
    expect(r.stderr).toContain(`saved to ${findings[0].caseFile} (regression: `);
  });

  it('classes the findings of worker jobs in the main process, and exits 1 with --fail-on regression only for a regression', async () => {
    const r = await crashcow(['fuzz', '--engine', 'builtin', '--mutant', 'refcount-after-l2', '--baseline', 'builtin', '--fail-on', 'regression', '--seed', '1', '--runs', '20', '--jobs', '2', '--output', 'json', '--corpus', tmp.path('jobs')]);
    const summary = JSON.parse(r.stdout);
    expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
    const classes = (summary.findings as Array<{ class?: string }>).map((f) => f.class);
    expect(classes.length).toBeGreaterThan(0);
    for (const k of classes) expect(['regression', 'pre-existing', 'diverged']).toContain(k);
    expect(summary.baseline.classes.regression + summary.baseline.classes['pre-existing'] + summary.baseline.classes.diverged).toBe(classes.length);
    expect(r.exitCode, `classes ${classes.join(', ')}`).toBe(classes.includes('regression') ? 1 : 0);
  });

  it('is exit 2 for a bad baseline, naming it', async () => {
    const fuzz = (...extra: string[]) => crashcow(['fuzz', '--runs', '1', '--corpus', tmp.path('bad'), ...extra]);
    const unknown = await fuzz('--engine', 'builtin', '--baseline', 'old');
    expect([unknown.exitCode, unknown.stderr]).toEqual([2, expect.stringContaining('--baseline must be "builtin" or "qemu:DIR"')]);
    const other = await fuzz('--engine', 'builtin', '--baseline', `qemu:${system}`);
    expect([other.exitCode, other.stderr]).toEqual([2, expect.stringContaining('the engine judged is builtin')]);
    const missing = await fuzz('--engine', 'qemu', '--baseline', `qemu:${tmp.dir}`);
    expect([missing.exitCode, missing.stderr]).toEqual([2, expect.stringContaining(`--baseline qemu:${tmp.dir}: ${join(tmp.dir, 'qemu-img')} not found`)]);
    const failOn = await fuzz('--engine', 'builtin', '--fail-on', 'regression');
    expect([failOn.exitCode, failOn.stderr]).toEqual([2, expect.stringContaining('--fail-on regression needs --baseline')]);
    for (const r of [unknown, other, missing, failOn]) expect(r.stderr).not.toContain('internal error');
  });
});

describe('crashcow replay --baseline', () => {
  /** Replays the QEMU cases on `newDir` against the system's QEMU: each pre-existing, exit 1, and 0 with --fail-on regression. */
  async function expectPreExisting(newDir: string): Promise<void> {
    const replay = ['replay', '--qemu', newDir, '--baseline', `qemu:${system}`, ...QEMU_CASES];
    const r = await crashcow(replay);
    expect(r.exitCode, r.stderr).toBe(1);
    for (const path of QEMU_CASES) expect(r.stdout).toMatch(new RegExp(`${path}: pre-existing: the baseline breaks \\S+ \\[.*\\] too \\(baseline qemu:${system}: qemu-io version`));
    expect(r.stdout).toContain(`2 failing case(s) against the baseline qemu:${system}`);
    expect(r.stdout).toContain(': 0 regression, 2 pre-existing, 0 diverged');
    const gate = await crashcow(['replay', '--fail-on', 'regression', ...replay.slice(1)]);
    expect(gate.exitCode, 'pre-existing failures do not fail --fail-on regression').toBe(0);
  }

  it('classes QEMU corpus cases failing on the system QEMU as pre-existing against itself', async () => {
    await expectPreExisting(system);
  });

  it('classes QEMU corpus cases failing on QEMU 10.0.2 as pre-existing against the system QEMU', async (ctx: TestContext) => {
    if (!('dir' in newer)) {
      console.warn(`SKIPPED (${ctx.task.name}): ${newer.reason}`);
      ctx.skip(newer.reason);
      return;
    }
    await expectPreExisting(newer.dir);
  });

  it('classes a mutant case against the built-in baseline as a regression, and refuses a case of another engine', async () => {
    const mutant = corpusFile('builtin-mutant-l1-before-l2');
    const r = await crashcow(['replay', '--baseline', 'builtin', '--fail-on', 'regression', mutant]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${mutant}: regression: the baseline passes (baseline builtin: crashcow-builtin 0.1.0)`);
    const other = await crashcow(['replay', '--baseline', 'builtin', mutant, QEMU_CASES[0]]);
    expect([other.exitCode, other.stderr]).toEqual([2, expect.stringContaining(`${QEMU_CASES[0]}: a qemu case cannot be classed against --baseline builtin`)]);
    const expect_ = await crashcow(['replay', '--expect', '--baseline', 'builtin', mutant]);
    expect([expect_.exitCode, expect_.stderr]).toEqual([2, expect.stringContaining('give one or the other')]);
  });
});
