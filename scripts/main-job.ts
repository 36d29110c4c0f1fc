/**
 * The main job (`npm start`): a short crash campaign on both engines, the built-in one and the
 * real QEMU, through `crashcow fuzz` itself (its live progress line shows on stderr), then one
 * summary: per engine the runs, crash states, states/s and findings; each finding named as a known
 * defect (a corpus/ case that still fails with the same engine, property and rules) or as new.
 * Exit 0 when nothing new was found, 1 when a new finding was saved, 2 when a campaign could not
 * run (its error is printed). MAIN_JOB_SECONDS sets each campaign's time (default 30),
 * MAIN_JOB_SEED the master seed (default 1). `--qemu DIR` (`npm start -- --qemu DIR`; default
 * CRASHCOW_QEMU_DIR, else PATH) chooses the QEMU; it is checked before anything runs (exit 2 naming
 * the path when it cannot run), and a finding counts as known when a corpus case records it as
 * failing on that QEMU's version.
 */
import { execa } from 'execa';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { qemuDirOf, resolveQemuBinaries, type QemuBinaries } from '../src/engine/qemu/qemu-binaries.js';
import { isQemuMissingError } from '../src/engine/qemu/qemu-missing-error.js';
import { BUILTIN_VERSION_KEY, versionKeyOf } from '../src/fuzz/case/case-expectations.js';
import { knownDefects } from '../src/fuzz/case/known-defects.js';
import { violationSignature } from '../src/fuzz/violation.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const corpusDir = fileURLToPath(new URL('../../corpus/', import.meta.url));
const seconds = Number(process.env.MAIN_JOB_SECONDS ?? 30);
const seed = Number(process.env.MAIN_JOB_SEED ?? 1);
const outDir = join('fuzz-findings', `main-job-${new Date().toISOString().replace(/[:.]/g, '-')}`);

interface Summary {
  engine: string;
  engineVersion: string;
  qemu?: { versionLine: string; img: string; io: string };
  runs: number;
  crashStates: number;
  statesPerSecond: number;
  findings: Array<{ property: string; rules: string[]; caseFile: string }>;
}

/** A finding's identity, as the campaign dedupes it, per engine. */
const keyOf = (engine: string, signature: string) => `${engine} ${signature}`;

/**
 * The corpus cases that record an engine defect still present on the version each engine runs
 * (recorded as failing there, no mutant), by engine and signature.
 */
function corpusDefects(qemu: QemuBinaries): Map<string, string> {
  const known = new Map<string, string>();
  for (const [engine, versionKey] of [['builtin', BUILTIN_VERSION_KEY], ['qemu', versionKeyOf(qemu.versionLine)]] as const) {
    for (const d of knownDefects(corpusDir, versionKey)) if (d.engine === engine && d.mutants.length === 0) known.set(keyOf(d.engine, d.signature), `corpus/${basename(d.file)}`);
  }
  return known;
}

/** `--qemu DIR` or `--qemu=DIR` from the command line, undefined without one, null for anything else. */
function qemuFlag(argv: readonly string[]): string | undefined | null {
  if (argv.length === 0) return undefined;
  if (argv.length === 1 && argv[0].startsWith('--qemu=')) return argv[0].slice('--qemu='.length);
  if (argv.length === 2 && argv[0] === '--qemu') return argv[1];
  return null;
}

async function campaign(engine: 'builtin' | 'qemu', qemu: QemuBinaries): Promise<Summary | string> {
  const qemuArgs = engine === 'qemu' && qemu.dir !== null ? ['--qemu', qemu.dir] : [];
  process.stderr.write(`\n== ${engine}: crashcow fuzz --engine ${engine} ${qemuArgs.map((a) => a + ' ').join('')}--seed ${seed} --time ${seconds} --jobs 2 --corpus ${outDir}/${engine}\n`);
  const r = await execa('node', [cli, 'fuzz', '--engine', engine, ...qemuArgs, '--seed', String(seed), '--time', String(seconds), '--jobs', '2', '--corpus', join(outDir, engine), '--output', 'json'], { reject: false, stderr: 'inherit' });
  if (r.exitCode === 2 || r.exitCode === undefined || r.exitCode > 2) return `crashcow fuzz --engine ${engine} could not run (exit ${r.exitCode})`;
  return JSON.parse(String(r.stdout)) as Summary;
}

async function main(): Promise<number> {
  const dir = qemuFlag(process.argv.slice(2));
  if (dir === null) {
    process.stderr.write(`crashcow main job: unexpected arguments "${process.argv.slice(2).join(' ')}"; usage: npm start [-- --qemu DIR]\n`);
    return 2;
  }
  let qemu: QemuBinaries;
  try {
    qemu = await resolveQemuBinaries(qemuDirOf(dir));
  } catch (err) {
    if (!isQemuMissingError(err)) throw err;
    process.stderr.write(`crashcow main job: ${err.message}\n`);
    return 2;
  }
  const known = corpusDefects(qemu);
  const results: Array<Summary | string> = [];
  for (const engine of ['builtin', 'qemu'] as const) results.push(await campaign(engine, qemu));
  const lines = [``, `crashcow main job: a ${seconds}-second crash campaign per engine, seed ${seed}, 2 jobs`, `${'engine'.padEnd(8)} ${'runs'.padStart(6)} ${'crash states'.padStart(13)} ${'states/s'.padStart(9)} ${'findings'.padStart(8)}  version`];
  let newCount = 0;
  let failed = 0;
  const findingLines: string[] = [];
  for (const r of results) {
    if (typeof r === 'string') {
      lines.push(`error: ${r}`);
      failed++;
      continue;
    }
    lines.push(`${r.engine.padEnd(8)} ${String(r.runs).padStart(6)} ${String(r.crashStates).padStart(13)} ${String(r.statesPerSecond).padStart(9)} ${String(r.findings.length).padStart(8)}  ${r.engineVersion}`);
    if (r.qemu) lines.push(`${''.padEnd(48)}${r.qemu.versionLine} (${r.qemu.io})`);
    for (const f of r.findings) {
      const k = known.get(keyOf(r.engine, violationSignature(f as Parameters<typeof violationSignature>[0])));
      const where = relative(process.cwd(), f.caseFile);
      if (k) findingLines.push(`  known  ${r.engine} ${f.property} [${f.rules.join(', ')}] as in ${k}; this run's case: ${where}`);
      else {
        newCount++;
        findingLines.push(`  NEW    ${r.engine} ${f.property} [${f.rules.join(', ')}]: crashcow replay ${where}`);
      }
    }
  }
  if (findingLines.length > 0) lines.push('findings:', ...findingLines);
  const verdict = failed > 0 ? 2 : newCount > 0 ? 1 : 0;
  lines.push(verdict === 2 ? 'exit 2: a campaign could not run' : verdict === 1 ? `exit 1: ${newCount} new finding(s); each case replays with the command shown` : 'exit 0: no new finding' + (findingLines.length > 0 ? ' (the known defects above were found again)' : ''));
  process.stdout.write(lines.join('\n') + '\n');
  return verdict;
}

process.exitCode = await main();
