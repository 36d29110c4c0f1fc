/**
 * The QEMU parts that matter, on every QEMU build the machine has (test/helpers/qemu-builds.ts:
 * the system's, each one unpacked under .qemu/, CRASHCOW_QEMU_DIR), through the built CLI:
 * `crashcow replay --expect --qemu DIR` replays every QEMU case of corpus/ as the case records for
 * that build's version, and a short campaign `crashcow fuzz --engine qemu --qemu DIR --known corpus`
 * names that build in its summary and ends with exit 0 or 1, never an internal error. A build the
 * tests expect but the machine lacks (QEMU 10 when .qemu/ holds none) is reported as skipped, with
 * the reason. The engine differential runs per build in test/src/engine/differential.test.ts.
 */
import { Ajv } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { buildOrSkip, qemuBuilds } from '../../helpers/qemu-builds.js';
import { tempDir } from '../../helpers/qemu.js';

const ajv = new Ajv({ allErrors: true, strict: true });
const validSummary = ajv.compile(JSON.parse(readFileSync(new URL('../../../spec/schemas/fuzz-summary.schema.json', import.meta.url), 'utf8')));
const corpusDir = fileURLToPath(new URL('../../../corpus/', import.meta.url));
const qemuCases = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => join(corpusDir, f))
  .filter((path) => (JSON.parse(readFileSync(path, 'utf8')) as { engine: { name: string } }).engine.name === 'qemu');

/**
 * The campaign: 3 runs of seed 3 with lazy refcounts, 16 crash states per crash. On QEMU 7.2.22 and
 * 10.0.2 it meets the lazy-refcounts defect the corpus records, so `--known` is exercised too.
 */
const CAMPAIGN = ['fuzz', '--engine', 'qemu', '--seed', '3', '--runs', '3', '--lazy-refcounts', 'on', '--states-per-crash', '16', '--known', corpusDir, '--output', 'json'];
const STACK_TRACE = /\n\s+at /;

const tmp = tempDir('crashcow-every-qemu-');
afterAll(tmp.cleanup);

describe.each(qemuBuilds())('on $label', (b) => {
  it(`replay --expect: every QEMU case of corpus/ does what it records for this version (${b.label})`, async (ctx) => {
    const build = buildOrSkip(b, (reason) => ctx.skip(reason));
    if (build === null) return;
    expect(qemuCases.length).toBeGreaterThan(0);
    const r = await crashcow(['replay', '--expect', '--qemu', build.dir, ...qemuCases]);
    if (r.exitCode === 4) {
      console.warn(`SKIPPED corpus replay on ${build.label}: cases without a record for ${build.versionKey} (crashcow corpus --record writes them)\n${r.stdout}`);
      ctx.skip(`no record for version ${build.versionKey}`);
      return;
    }
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`${qemuCases.length} case(s): ${qemuCases.length} as recorded, 0 not`);
    for (const path of qemuCases) expect(r.stdout).toContain(`${path}: `);
  });

  it(`fuzz --engine qemu: a short campaign runs on this build and names it (${b.label})`, async (ctx) => {
    const build = buildOrSkip(b, (reason) => ctx.skip(reason));
    if (build === null) return;
    const r = await crashcow([...CAMPAIGN, '--qemu', build.dir, '--corpus', tmp.path(`cases-${build.versionKey}`)]);
    expect([0, 1], `exit ${r.exitCode}\n${r.stderr}`).toContain(r.exitCode);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    const summary = JSON.parse(r.stdout);
    expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
    expect(summary.qemu).toEqual({ versionLine: build.versionLine, img: join(build.dir, 'qemu-img'), io: join(build.dir, 'qemu-io') });
    expect(summary.runs).toBe(3);
    expect(summary.crashStates).toBeGreaterThan(0);
    expect(summary.findings.length > 0, 'exit 1 exactly when a finding was saved').toBe(r.exitCode === 1);
  });
});
