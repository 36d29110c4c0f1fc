/**
 * `--qemu DIR` as a user runs it (the built CLI, real QEMU binaries): the fuzz summary names the
 * binaries and their version line, every job of a campaign spawns them, a folder that cannot serve
 * is exit 2 naming its path, `replay --expect` judges a case by the version it runs on, and
 * `crashcow corpus` prints and records the case-by-version table. The system's QEMU is the folder
 * on PATH; the second build is what scripts/qemu-get.sh unpacks (QEMU 10), and the parts that need
 * it skip, saying why, when it cannot be had.
 */
import Ajv from 'ajv';
import { execa } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { pathQemuDir, qemuGetDir, tempDir } from '../../helpers/qemu.js';

const ajv = new Ajv({ allErrors: true, strict: true });
const validSummary = ajv.compile(JSON.parse(readFileSync(new URL('../../../spec/schemas/fuzz-summary.schema.json', import.meta.url), 'utf8')));
const validTable = ajv.compile(JSON.parse(readFileSync(new URL('../../../spec/schemas/corpus-table.schema.json', import.meta.url), 'utf8')));
const corpusFile = (name: string) => fileURLToPath(new URL(`../../../corpus/${name}.json`, import.meta.url));
const QEMU_CASE = 'qemu-snapshot-apply-copied-window';
const BUILTIN_CASE = 'builtin-mutant-l1-before-l2';

const tmp = tempDir('crashcow-qemu-flag-');
afterAll(tmp.cleanup);
const system = pathQemuDir();
let systemKey = '';
let newer: { dir: string } | { reason: string } = { reason: 'not looked for yet' };

/** The QEMU 10 folder, or skips the test saying why there is none. */
function newerDir(ctx: TestContext): string {
  if ('dir' in newer) return newer.dir;
  console.warn(`SKIPPED (${ctx.task.name}): no second QEMU build: ${newer.reason}`);
  ctx.skip(newer.reason);
  return '';
}

/** The fuzz JSON summary, checked against spec/schemas/fuzz-summary.schema.json. */
function summaryOf(stdout: string) {
  const summary = JSON.parse(stdout);
  expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
  return summary;
}

/** A copy of a corpus case in `dir` with `expectations` (and no old `expectation`) replaced. */
function caseWith(dir: string, name: string, expectations: Record<string, string> | undefined, file = `${name}.json`): string {
  const c = JSON.parse(readFileSync(corpusFile(name), 'utf8'));
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ ...c, expectations, ...(expectations ? {} : { expectation: 'fails' }) }, null, 2));
  return path;
}

const FUZZ = ['fuzz', '--engine', 'qemu', '--lazy-refcounts', 'off', '--max-commands', '6', '--states-per-crash', '16'];

beforeAll(async () => {
  newer = await qemuGetDir();
  if ('reason' in newer) console.warn(`the QEMU 10 parts of this file will be SKIPPED: ${newer.reason}`);
  systemKey = /version (\d+\.\d+\.\d+)/.exec((await execa(join(system, 'qemu-io'), ['--version'])).stdout)![1];
}, 300_000);

describe('--qemu DIR', () => {
  it('fuzz: the summary names the binaries run and their version line, on the system QEMU and on QEMU 10', async (ctx) => {
    const json = await crashcow([...FUZZ, '--qemu', system, '--runs', '1', '--output', 'json', '--corpus', tmp.path('f1')]);
    expect(json.exitCode).toBe(0);
    expect(summaryOf(json.stdout).qemu).toEqual({ versionLine: expect.stringMatching(`^qemu-io version ${systemKey} `), img: join(system, 'qemu-img'), io: join(system, 'qemu-io') });
    const human = await crashcow([...FUZZ, '--qemu', system, '--runs', '1', '--corpus', tmp.path('f1')]);
    expect(human.stdout).toMatch(new RegExp(`^qemu: qemu-io version ${systemKey.replace(/\./g, '\\.')} .*\\(${join(system, 'qemu-io')}, ${join(system, 'qemu-img')}\\)$`, 'm'));
    const dir = newerDir(ctx);
    const ten = await crashcow([...FUZZ, '--qemu', dir, '--runs', '1', '--output', 'json', '--corpus', tmp.path('f2')]);
    expect(ten.exitCode).toBe(0);
    const summary = summaryOf(ten.stdout);
    expect(summary.qemu.versionLine).toMatch(/^qemu-io version 10\.\d+\.\d+ /);
    expect(summary.engineVersion).toMatch(/^qemu-io 10\./);
  });

  it('fuzz --jobs 2: every job (a worker thread) spawns the binaries of --qemu', async () => {
    const log = tmp.path('calls.log');
    const dir = tmp.path('wrapped');
    mkdirSync(dir);
    for (const bin of ['qemu-img', 'qemu-io']) {
      writeFileSync(join(dir, bin), `#!/bin/sh\necho "${bin} $1" >> '${log}'\nexec '${join(system, bin)}' "$@"\n`);
      chmodSync(join(dir, bin), 0o755);
    }
    const mainJs = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
    const r = await execa(process.execPath, [mainJs, ...FUZZ, '--qemu', dir, '--runs', '2', '--jobs', '2', '--output', 'json', '--corpus', tmp.path('f3')], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(summaryOf(r.stdout).qemu.io).toBe(join(dir, 'qemu-io'));
    const creates = readFileSync(log, 'utf8').split('\n').filter((l) => l === 'qemu-img create');
    expect(creates.length, 'each run creates its image with the chosen qemu-img').toBeGreaterThanOrEqual(2);
  });

  it('exits 2 naming the path when the folder cannot serve, for every command that runs QEMU', async () => {
    const empty = tmp.path('empty');
    mkdirSync(empty);
    const plain = tmp.path('plain');
    mkdirSync(plain);
    for (const bin of ['qemu-img', 'qemu-io']) writeFileSync(join(plain, bin), '#!/bin/sh\n');
    const qemuCase = corpusFile(QEMU_CASE);
    for (const args of [[...FUZZ, '--runs', '1'], ['replay', qemuCase], ['replay', '--expect', qemuCase], ['corpus', qemuCase]]) {
      const missing = await crashcow([...args, '--qemu', empty]);
      expect(missing.exitCode, `${args[0]} --qemu EMPTY`).toBe(2);
      expect(missing.stderr).toContain(`--qemu: ${join(empty, 'qemu-img')} not found`);
      expect(missing.stderr).not.toMatch(/\n\s+at /);
      const notExecutable = await crashcow([...args, '--qemu', plain]);
      expect(notExecutable.exitCode).toBe(2);
      expect(notExecutable.stderr).toContain(`${join(plain, 'qemu-img')} is not executable`);
    }
    const mainJs = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));
    const fromEnv = await execa(process.execPath, [mainJs, 'replay', qemuCase], { reject: false, env: { CRASHCOW_QEMU_DIR: tmp.path('nowhere') } });
    expect(fromEnv.exitCode).toBe(2);
    expect(fromEnv.stderr).toContain(`CRASHCOW_QEMU_DIR: ${tmp.path('nowhere')} does not exist`);
    const builtin = await crashcow(['fuzz', '--qemu', system, '--runs', '1']);
    expect(builtin.exitCode).toBe(2);
    expect(builtin.stderr).toContain('--qemu applies to --engine qemu only');
  });

  it('replay --expect judges a case by the record for the version it runs on; none is unknown (exit 4)', async (ctx) => {
    const dir = tmp.path('by-version');
    mkdirSync(dir);
    const asRecorded = caseWith(dir, QEMU_CASE, { [systemKey]: 'fails' }, 'recorded.json');
    const otherwise = caseWith(dir, QEMU_CASE, { [systemKey]: 'passes' }, 'otherwise.json');
    const unknown = caseWith(dir, QEMU_CASE, { '99.0.0': 'fails' }, 'unknown.json');
    expect((await crashcow(['replay', '--expect', '--qemu', system, asRecorded])).exitCode).toBe(0);
    const differs = await crashcow(['replay', '--expect', '--qemu', system, otherwise, unknown]);
    expect(differs.exitCode, '1 wins over 4').toBe(1);
    expect(differs.stdout).toContain(`${otherwise}: NOT AS RECORDED: expected to pass, it fails (version ${systemKey})`);
    const unknownOnly = await crashcow(['replay', '--expect', '--qemu', system, asRecorded, unknown]);
    expect(unknownOnly.exitCode).toBe(4);
    expect(unknownOnly.stdout).toContain(`${unknown}: UNKNOWN: no record for version ${systemKey}; it fails`);
    expect(unknownOnly.stdout).toContain('2 case(s): 1 as recorded, 0 not, 1 unknown');
    const ten = newerDir(ctx);
    const tenKey = /version (\d+\.\d+\.\d+)/.exec((await execa(join(ten, 'qemu-io'), ['--version'])).stdout)![1];
    expect((await crashcow(['replay', '--expect', '--qemu', ten, asRecorded])).exitCode, 'no record for QEMU 10').toBe(4);
    const both = caseWith(dir, QEMU_CASE, { [systemKey]: 'fails', [tenKey]: 'fails' }, 'both.json');
    expect((await crashcow(['replay', '--expect', '--qemu', ten, both])).exitCode).toBe(0);
    const corpus = await crashcow(['replay', '--expect', '--qemu', ten, corpusFile(QEMU_CASE), corpusFile(BUILTIN_CASE)]);
    expect(corpus.exitCode, `the corpus records QEMU 10.0.2 (this one is ${tenKey})`).toBe(tenKey === '10.0.2' ? 0 : 4);
  });

  it('corpus: prints the case-by-version table for each --qemu, and --record writes it into the cases', async (ctx) => {
    const dir = tmp.path('small-corpus');
    mkdirSync(dir);
    caseWith(dir, QEMU_CASE, undefined);
    copyFileSync(corpusFile(BUILTIN_CASE), join(dir, `${BUILTIN_CASE}.json`));
    const ten = 'dir' in newer ? [newer.dir] : [];
    if (ten.length === 0) console.warn(`corpus table on the system QEMU only: ${(newer as { reason: string }).reason}`);
    const qemuArgs = [system, ...ten].flatMap((d) => ['--qemu', d]);
    const first = await crashcow(['corpus', ...qemuArgs, dir]);
    const lines = first.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^case +builtin +${systemKey.replace(/\./g, '\\.')}${ten.length > 0 ? ' +10\\.\\d+\\.\\d+' : ''}$`));
    expect(lines[1]).toMatch(new RegExp(`^${BUILTIN_CASE} +fails +-${ten.length > 0 ? ' +-' : ''}$`));
    // The old single expectation records the version the case was made with (7.2.22) only.
    expect(lines[2]).toMatch(new RegExp(`^${QEMU_CASE} +- +fails${systemKey === '7.2.22' ? '' : '\\?'}${ten.length > 0 ? ' +fails\\?' : ''}$`));
    expect(first.exitCode).toBe(ten.length > 0 || systemKey !== '7.2.22' ? 4 : 0);
    expect((await crashcow(['corpus', '--record', ...qemuArgs, dir])).exitCode).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, `${QEMU_CASE}.json`), 'utf8'));
    expect(saved.expectation).toBeUndefined();
    expect(Object.keys(saved.expectations)).toEqual(systemKey === '7.2.22' ? ['7.2.22', ...ten.map(() => expect.stringMatching(/^10\./))] : expect.arrayContaining([systemKey]));
    const again = await crashcow(['corpus', '--output', 'json', ...qemuArgs, dir]);
    expect(again.exitCode).toBe(0);
    const table = JSON.parse(again.stdout);
    expect(validTable(table), JSON.stringify(validTable.errors)).toBe(true);
    expect(table).toMatchObject({ differ: 0, unknown: 0 });
    expect(table.cases.map((c: { results: unknown; recorded: unknown }) => c.results)).toEqual(table.cases.map((c: { recorded: unknown }) => c.recorded));
    if (ten.length === 0) newerDir(ctx);
  });
});
