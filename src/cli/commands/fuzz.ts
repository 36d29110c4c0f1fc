/**
 * `crashcow fuzz`: runs a crash-consistency campaign against an engine and saves each finding as
 * a replayable case. Thin: parses flags, runs src/fuzz's Campaign, prints a live progress line on
 * stderr and a summary (human or one JSON object) on stdout, and with --summary the JSON object in a
 * file too. The shard comes from --shard or the environment (shard-of.ts). With `--baseline`,
 * each saved finding is replayed on the baseline and classed (regression, pre-existing, diverged).
 * Exit 0 without findings, 1 with findings saved (`--fail-on regression`: 1 only when one is a
 * regression), 2 for a usage or setup error (for --engine qemu: qemu-io or qemu-img missing or
 * unusable in `--qemu DIR`, CRASHCOW_QEMU_DIR or PATH, or in the `--baseline qemu:DIR`, named in
 * the message).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { isMutantName, type MutantName } from '../../engine/mutants.js';
import { type QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import { countClasses, type Baseline } from '../../fuzz/baseline/baseline.js';
import { BUILTIN_VERSION_KEY, versionKeyOf } from '../../fuzz/case/case-expectations.js';
import { Campaign, type CampaignResult } from '../../fuzz/campaign/campaign.js';
import { assertValidSummary, type FuzzSummary } from '../../fuzz/campaign/fuzz-summary.js';
import { isCaseReadError } from '../../fuzz/case/fuzz-case.js';
import { knownDefects, knownFor, type KnownDefect } from '../../fuzz/case/known-defects.js';
import { DEFAULT_MAX_COMMANDS, DEFAULT_STATES_PER_CRASH, type CampaignSettings } from '../../fuzz/campaign/campaign-settings.js';
import type { RunStats } from '../../fuzz/runner/run-stats.js';
import { describeCoverage } from '../../fuzz/coverage/describe-coverage.js';
import { withKnownKeys } from '../../fuzz/coverage/known-coverage.js';
import type { FixedImageOptions } from '../../fuzz/commands/image-options-arb.js';
import { IMAGE_PROFILES } from '../../fuzz/commands/image-profile.js';
import { isSetupError } from '../../fuzz/target/setup-error.js';
import { propertyTitles, type PropertyName } from '../../fuzz/violation.js';
import { JUDGE_MODES } from '../../fuzz/oracle/state-checker.js';
import type { Command } from '../command.js';
import { flagChoice, flagInt, flagValue, parseArgs, type ParsedArgs } from '../parse-args.js';
import { shardOf, type Shard } from '../shard-of.js';
import { faultModeOf } from '../faults-flag.js';
import { UsageError } from '../usage-error.js';
import { qemuFlagValue, resolveQemuOrReport } from '../qemu-flag.js';
import { failOnOf, failsOn, resolveBaselineOrReport, type FailOn } from '../baseline-flag.js';

const USAGE =
  'crashcow fuzz --engine builtin|qemu [--qemu DIR] [--faults power|eio|damage|all] [--mutant NAME] [--seed N] [--runs N | --time SECONDS] [--jobs N] [--shard I/N] [--profile small|growth|large] [--lazy-refcounts on|off|random] [--corpus DIR] [--known DIR] [--output human|json] [--summary FILE] [--states-per-crash N] [--max-commands N] [--cluster-size BYTES] [--refcount-bits N] [--baseline builtin|qemu:DIR] [--fail-on regression|any] [--judge full|incremental] [--max-findings N]';

const FLAGS = ['engine', 'qemu', 'faults', 'mutant', 'seed', 'runs', 'time', 'jobs', 'shard', 'profile', 'lazy-refcounts', 'corpus', 'known', 'output', 'summary', 'states-per-crash', 'max-commands', 'cluster-size', 'refcount-bits', 'baseline', 'fail-on', 'judge', 'max-findings'];
const REPEATABLE = new Set(['mutant', 'known']);

export const fuzzCommand: Command = {
  name: 'fuzz',
  summary: 'crash-consistency fuzzing of an engine; findings saved as replayable cases',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, FLAGS.map((name) => ({ name, takesValue: true, repeatable: REPEATABLE.has(name) })));
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const engine = flagChoice(args, 'engine', ['builtin', 'qemu'] as const, 'builtin');
    if (engine !== 'qemu' && qemuFlagValue(args) !== undefined) throw new UsageError('--qemu applies to --engine qemu only');
    const qemu = engine === 'qemu' ? await resolveQemuOrReport('fuzz', qemuFlagValue(args)) : undefined;
    if (qemu === null) return 2;
    const failOn = failOnOf(args);
    const baseline = await resolveBaselineOrReport('fuzz', args, engine);
    if (baseline === null) return 2;
    const { settings, corpusDir, output, timeSeconds, shard, summaryFile } = settingsOf(args, qemu);
    const startMs = Date.now();
    const campaign = new Campaign(
      { ...settings, deadlineMs: timeSeconds === null ? null : startMs + timeSeconds * 1000 },
      {
        corpusDir,
        ...(baseline ? { baseline } : {}),
        onProgress: (stats) => progress(stats, startMs),
        onFinding: (f) => process.stderr.write(`\nfuzz: finding ${f.property} [${f.rules.join(', ')}] saved to ${f.caseFile}${f.class ? ` (${f.class}: ${f.baselineDetail})` : ''}\n`),
      },
    );
    // Ctrl-C, and the SIGTERM or SIGHUP a CI runner or a closing terminal sends, stop the campaign
    // cleanly: findings kept, temporary files (QEMU's image copies in /dev/shm) removed. A second
    // signal aborts at once.
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++interrupts > 1) process.exit(128 + constants.signals[signal]);
      process.stderr.write(`\nfuzz: ${signal}: stopping (finishing the runs in progress; ${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to abort)\n`);
      campaign.stop();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    let result: CampaignResult;
    try {
      result = await campaign.run();
    } catch (err) {
      if (!isSetupError(err)) throw err;
      process.stderr.write(`crashcow fuzz: ${err.message}\n`);
      return 2;
    } finally {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    }
    progress(result.stats, startMs, true);
    const elapsedS = (Date.now() - startMs) / 1000;
    const statesPerSecond = Math.round(result.stats.crashStates / Math.max(elapsedS, 1e-3));
    const summary: FuzzSummary = {
      engine: settings.engine, engineVersion: result.engineVersion, ...(result.qemu ? { qemu: qemuSummaryOf(result.qemu) } : {}), seed: settings.plan.masterSeed, runs: result.stats.runs, crashStates: result.stats.crashStates, statesPerSecond, findings: result.findings, knownRepeats: result.stats.knownRepeats,
      ...(settings.faults !== 'power' || result.stats.damageRuns > 0 || result.stats.eioRuns > 0 ? { faultRuns: faultRunsOf(result.stats) } : {}),
      coverage: withKnownKeys(result.stats.coverage),
      campaign: { mutants: settings.mutants, ...(settings.faults !== 'power' ? { faults: settings.faults } : {}), runs: settings.plan.totalRuns, timeSeconds, ...(settings.maxFindings !== undefined ? { maxFindings: settings.maxFindings } : {}), statesPerCrash: settings.statesPerCrash, maxCommands: settings.maxCommands, image: settings.fixed },
      judge: { mode: settings.judge ?? 'incremental', incrementalChecks: result.stats.incrementalChecks, fullChecks: result.stats.stateGroups - result.stats.incrementalChecks },
      shard: { index: shard.shardIndex + 1, count: shard.shardCount, source: shard.source },
      jobs: settings.plan.jobCount,
      elapsedSeconds: Math.round(elapsedS * 1000) / 1000,
      batches: result.batches,
      ...(baseline ? { baseline: baselineSummaryOf(baseline, failOn, result) } : {}),
    };
    if (summaryFile !== null) {
      assertValidSummary(summary, summaryFile);
      try {
        writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + '\n');
      } catch (err) {
        process.stderr.write(`crashcow fuzz: --summary ${summaryFile}: cannot write it: ${(err as Error).message}\n`);
        return 2;
      }
    }
    if (output === 'json') {
      process.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      process.stdout.write(humanSummary(settings, result, shard, statesPerSecond, elapsedS, baseline));
    }
    return failsOn(failOn, result.findings.map((f) => f.class)) ? 1 : 0;
  },
};

/** Runs by fault kind and the damaged images judged, as the JSON summary shows them. */
function faultRunsOf(stats: RunStats): NonNullable<FuzzSummary['faultRuns']> {
  return { power: stats.powerRuns, eio: stats.eioRuns, eioFired: stats.faultsFired, damage: stats.damageRuns, damagedImages: stats.damagedImages };
}

/** The QEMU binaries as the JSON summary shows them. */
function qemuSummaryOf(q: QemuBinaries): { versionLine: string; img: string; io: string } {
  return { versionLine: q.versionLine, img: q.img, io: q.io };
}

/** The baseline as the JSON summary shows it: what it runs, the exit policy and the class counts. */
function baselineSummaryOf(b: Baseline, failOn: FailOn, r: CampaignResult): NonNullable<FuzzSummary['baseline']> {
  return { spec: b.spec, version: b.version, failOn, classes: countClasses(r.findings.map((f) => f.class)) };
}

function settingsOf(args: ParsedArgs, qemu: QemuBinaries | undefined): { settings: Omit<CampaignSettings, 'deadlineMs'>; corpusDir: string; output: 'human' | 'json'; timeSeconds: number | null; shard: Shard; summaryFile: string | null } {
  const engine = flagChoice(args, 'engine', ['builtin', 'qemu'] as const, 'builtin');
  const mutants = (args.flags.get('mutant') ?? []).map((m) => {
    if (!isMutantName(m)) throw new UsageError(`unknown mutant "${m}"; run 'crashcow mutants' for the list`);
    return m as MutantName;
  });
  if (mutants.length > 0 && engine !== 'builtin') throw new UsageError('--mutant applies to --engine builtin only');
  const seed = flagInt(args, 'seed', 1);
  if (seed > 0xffffffff) throw new UsageError(`--seed must fit in 32 bits, got ${seed}`);
  if (flagValue(args, 'runs') !== undefined && flagValue(args, 'time') !== undefined) throw new UsageError('give --runs or --time, not both');
  const timeSeconds = flagValue(args, 'time') === undefined ? null : flagInt(args, 'time', 0);
  const runs = timeSeconds === null ? flagInt(args, 'runs', 100) : null;
  if (timeSeconds !== null && timeSeconds < 1) throw new UsageError(`--time must be at least 1 second, got ${timeSeconds}`);
  if (runs !== null && runs < 1) throw new UsageError(`--runs must be at least 1, got ${runs}`);
  const jobCount = flagInt(args, 'jobs', 1);
  if (jobCount < 1 || jobCount > 64) throw new UsageError('--jobs must be between 1 and 64');
  const shard = shardOf(flagValue(args, 'shard'), process.env);
  const { shardIndex, shardCount } = shard;
  const lazy = flagChoice(args, 'lazy-refcounts', ['on', 'off', 'random'] as const, 'random');
  const statesPerCrash = flagInt(args, 'states-per-crash', DEFAULT_STATES_PER_CRASH);
  const maxCommands = flagInt(args, 'max-commands', DEFAULT_MAX_COMMANDS);
  if (statesPerCrash < 1 || maxCommands < 1) throw new UsageError('--states-per-crash and --max-commands must be at least 1');
  const fixed: FixedImageOptions = lazy === 'random' ? {} : { lazyRefcounts: lazy === 'on' };
  if (flagValue(args, 'profile') !== undefined) fixed.profile = flagChoice(args, 'profile', IMAGE_PROFILES, 'small');
  if (flagValue(args, 'cluster-size') !== undefined) {
    fixed.clusterSizeBytes = flagInt(args, 'cluster-size', 0);
    if (![512, 1024, 2048, 4096, 8192, 16384, 32768, 65536].includes(fixed.clusterSizeBytes)) throw new UsageError('--cluster-size must be a power of two from 512 to 65536');
  }
  if (flagValue(args, 'refcount-bits') !== undefined) {
    fixed.refcountBits = flagInt(args, 'refcount-bits', 0);
    if (![1, 2, 4, 8, 16, 32, 64].includes(fixed.refcountBits)) throw new UsageError('--refcount-bits must be 1, 2, 4, 8, 16, 32 or 64');
  }
  return {
    settings: {
      engine,
      mutants,
      faults: faultModeOf(args),
      ...(qemu ? { qemu } : {}),
      plan: { masterSeed: seed, totalRuns: runs, shardIndex, shardCount, jobCount },
      fixed,
      statesPerCrash,
      maxCommands,
      judge: flagChoice(args, 'judge', JUDGE_MODES, 'incremental'),
      ...maxFindingsOf(args),
      known: knownSignatures(args.flags.get('known') ?? [], engine, mutants, qemu ? versionKeyOf(qemu.versionLine) : BUILTIN_VERSION_KEY),
    },
    corpusDir: flagValue(args, 'corpus') ?? 'fuzz-findings',
    output: flagChoice(args, 'output', ['human', 'json'] as const, 'human'),
    timeSeconds,
    shard,
    summaryFile: summaryFileOf(flagValue(args, 'summary')),
  };
}

/** `--max-findings N` as a setting (absent when not given). @throws UsageError for N below 1 */
function maxFindingsOf(args: ParsedArgs): { maxFindings?: number } {
  if (flagValue(args, 'max-findings') === undefined) return {};
  const maxFindings = flagInt(args, 'max-findings', 0);
  if (maxFindings < 1) throw new UsageError(`--max-findings must be at least 1, got ${maxFindings}`);
  return { maxFindings };
}

/**
 * The signatures of the cases in the `--known` directories that this campaign's engine and mutants
 * made and that still fail on its version (`versionKey`; see knownDefects).
 */
function knownSignatures(dirs: readonly string[], engine: string, mutants: readonly string[], versionKey: string): string[] {
  const out = new Set<string>();
  for (const dir of dirs) {
    let defects: KnownDefect[];
    try {
      defects = knownDefects(dir, versionKey);
    } catch (err) {
      if (!isCaseReadError(err)) throw err;
      throw new UsageError(`--known ${dir}: ${(err as Error).message}`);
    }
    for (const d of defects) if (knownFor(d, engine, mutants)) out.add(d.signature);
  }
  return [...out];
}

/**
 * The --summary file, its folder made now: a path that cannot be written fails before the
 * campaign, not after it. @throws UsageError for a path that is a directory
 */
function summaryFileOf(path: string | undefined): string | null {
  if (path === undefined) return null;
  if (path === '' || statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--summary needs a file name, got "${path}"`);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new UsageError(`--summary ${path}: cannot make its folder: ${(err as Error).message}`);
  }
  return path;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let lastProgressMs = 0;

/** The live progress line on stderr (redrawn in place on a terminal, every 10 s otherwise). */
function progress(stats: RunStats, startMs: number, final = false): void {
  const now = Date.now();
  const tty = process.stderr.isTTY === true;
  if (!final && !tty && now - lastProgressMs < 10_000) return;
  lastProgressMs = now;
  const elapsedS = Math.max((now - startMs) / 1000, 1e-3);
  const line = `fuzz: runs ${stats.runs}${stats.shrinkRuns > 0 ? ` (+${stats.shrinkRuns} shrinking)` : ''} · crash states ${stats.crashStates.toLocaleString('en-US')} · ${Math.round(stats.crashStates / elapsedS).toLocaleString('en-US')} states/s${stats.damagedImages > 0 ? ` · damaged images ${stats.damagedImages}` : ''} · findings ${stats.findings} · ${Math.round(elapsedS)}s`;
  process.stderr.write(tty ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
}

function humanSummary(s: Omit<CampaignSettings, 'deadlineMs'>, r: CampaignResult, shard: Shard, statesPerSecond: number, elapsedS: number, baseline: Baseline | undefined): string {
  const counts = countClasses(r.findings.map((f) => f.class));
  const classed = baseline && r.findings.length > 0 ? ` (${counts.regression} regression, ${counts['pre-existing']} pre-existing, ${counts.diverged} diverged against the baseline ${baseline.spec}: ${baseline.version})` : '';
  const lines = [
    `engine: ${s.engine} (${r.engineVersion})`,
    ...(r.qemu ? [`qemu: ${r.qemu.versionLine} (${r.qemu.io}, ${r.qemu.img})`] : []),
    ...(s.faults !== 'power' ? [`faults: ${s.faults} (runs: ${r.stats.powerRuns} power, ${r.stats.eioRuns} eio with the I/O error fired in ${r.stats.faultsFired}, ${r.stats.damageRuns} damage; ${r.stats.damagedImages} damaged images judged)`] : []),
    ...(s.fixed.profile ? [`image profile: ${s.fixed.profile}`] : []),
    `seed: ${s.plan.masterSeed}${shard.source !== 'none' ? `, shard ${shard.shardIndex + 1}/${shard.shardCount} (from ${shard.source})` : ''}, ${s.plan.jobCount} job(s), ${elapsedS.toFixed(1)} s`,
    `runs: ${r.stats.runs}${r.stats.shrinkRuns > 0 ? ` (+${r.stats.shrinkRuns} while shrinking)` : ""}, ops: ${r.stats.ops}, crash points: ${r.stats.crashPoints}, crash states: ${r.stats.crashStates} (${statesPerSecond} states/s, ${r.stats.stateGroups} judged in full, ${r.stats.incrementalChecks} of them checked incrementally), recoveries without verdict: ${r.stats.unknownRecoveries}, runs repeating a finding: ${r.stats.knownRepeats}${s.known && s.known.length > 0 ? ` (${s.known.length} known from --known: ${s.known.join(' ')})` : ''}`,
    ...describeCoverage(withKnownKeys(r.stats.coverage)),
    r.findings.length === 0 ? 'findings: none' : `findings: ${r.findings.length}${classed}`,
    ...r.findings.map((f) => `  ${f.class ? `${f.class}: ` : ''}${f.property} [${f.rules.join(', ')}] ${propertyTitles[f.property as PropertyName] ?? ''}${f.class ? `\n    ${f.baselineDetail}` : ''}\n    ${f.caseFile}  (replay: crashcow replay ${f.caseFile})`),
  ];
  return lines.join('\n') + '\n';
}
