/**
 * Benchmark of the fuzzer (`npm run bench:fuzz`): crash states judged per second with every
 * property applied (P1-P5, lockstep, every recovery) on both engines with 2 jobs (goals on 2
 * cores: builtin >= 5,000 states/s, QEMU >= 500), at the default states per crash with lazy
 * refcounts off and with them drawn per run (a dirty image makes every recovery a full repair,
 * so that mix is slower), and for the built-in engine also at 64 states per crash (what a small
 * budget costs: per-run work weighs more; the goals are for the default budget); then the time
 * `crashcow fuzz --engine builtin --mutant NAME --seed S --max-findings 1` takes to find each
 * mutant, the median of 5 seeds (bench/fuzz-mutant-times.ts; BENCH_MUTANT_SECONDS,
 * BENCH_MUTANT_SEEDS, BENCH_MUTANTS). BENCH_SECONDS sets the throughput window (default 60).
 * First, the cost per state against image size, full judge against incremental, the large profile
 * included (bench/fuzz-judge-profiles.ts; BENCH_PROFILE_RUNS, BENCH_LARGE_COMMANDS;
 * BENCH_ONLY=profiles stops after it, BENCH_ONLY=mutants runs only the mutant table).
 * BENCH_BASELINE=DIR (another built checkout) prints instead the throughput of this checkout and
 * DIR's side by side, alternating (bench/fuzz-side-by-side.ts; BENCH_ROUNDS measurements per side).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MutantName } from '../src/engine/mutants.js';
import { Campaign } from '../src/fuzz/campaign/campaign.js';
import { DEFAULT_MAX_COMMANDS, DEFAULT_STATES_PER_CRASH, type CampaignSettings } from '../src/fuzz/campaign/campaign-settings.js';
import type { EngineName } from '../src/fuzz/target/make-target.js';
import { checkOnly, judgeProfiles } from './fuzz-judge-profiles.js';
import { mutantTimes } from './fuzz-mutant-times.js';
import { sideBySide } from './fuzz-side-by-side.js';

// 60 s by default: QEMU runs differ widely in cost (one run alone can take a large part of a
// window), so a shorter window gives an unstable rate.
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const GOALS: Record<EngineName, number> = { builtin: 5000, qemu: 500 };

function settings(engine: EngineName, mutants: MutantName[], seconds: number, jobCount: number, lazy: boolean | undefined, statesPerCrash = DEFAULT_STATES_PER_CRASH): CampaignSettings {
  return {
    engine,
    mutants,
    plan: { masterSeed: 1, totalRuns: null, shardIndex: 0, shardCount: 1, jobCount },
    deadlineMs: Date.now() + seconds * 1000,
    fixed: lazy === undefined ? {} : { lazyRefcounts: lazy },
    statesPerCrash,
    maxCommands: DEFAULT_MAX_COMMANDS,
    // A failed write is what link-after-failed-write needs: only `--faults eio` makes one.
    ...(mutants.includes('link-after-failed-write') ? { faults: 'eio' as const } : {}),
  };
}

async function throughput(engine: EngineName, dir: string, lazy: boolean | undefined, statesPerCrash = DEFAULT_STATES_PER_CRASH): Promise<number> {
  const start = Date.now();
  // Findings are counted, not shrunk: shrinking one (a known QEMU defect is found in the first
  // batches) would take the window that this row measures.
  const r = await new Campaign({ ...settings(engine, [], THROUGHPUT_SECONDS, 2, lazy, statesPerCrash), shrink: false }, { corpusDir: join(dir, `throughput-${engine}-${statesPerCrash}-${lazy}`) }).run();
  const seconds = (Date.now() - start) / 1000;
  const perSecond = Math.round(r.stats.crashStates / seconds);
  // The goals are for campaigns as `crashcow fuzz` runs them, at the default budget per crash.
  const verdict = statesPerCrash !== DEFAULT_STATES_PER_CRASH ? `no goal at ${statesPerCrash}/crash` : `${perSecond >= GOALS[engine] ? 'meets' : 'misses'} the goal of ${GOALS[engine]}`;
  const mix = lazy === undefined ? 'lazy random' : lazy ? 'lazy on    ' : 'lazy off   ';
  console.log(`${engine.padEnd(8)} ${mix} ${String(statesPerCrash).padStart(5)}/crash ${String(r.stats.crashStates).padStart(8)} states in ${seconds.toFixed(1)} s = ${String(perSecond).padStart(6)} states/s (2 jobs; ${verdict}); runs ${r.stats.runs}, findings ${r.findings.length}, runs repeating one ${r.stats.knownRepeats} (${r.engineVersion})`);
  return perSecond;
}

async function main(): Promise<void> {
  if (process.env.BENCH_BASELINE) {
    sideBySide(process.env.BENCH_BASELINE, THROUGHPUT_SECONDS, Number(process.env.BENCH_ROUNDS ?? 2));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'crashcow-bench-fuzz-'));
  try {
    if (process.env.BENCH_ONLY !== 'mutants') {
      await judgeProfiles(dir);
      await checkOnly();
    }
    if (process.env.BENCH_ONLY === 'profiles') return;
    if (process.env.BENCH_ONLY === 'mutants') {
      await mutantTimes(dir);
      return;
    }
    console.log(`\nthroughput, every property applied, ${THROUGHPUT_SECONDS} s per engine (findings counted, not shrunk):`);
    const builtinOff = await throughput('builtin', dir, false);
    const builtinRandom = await throughput('builtin', dir, undefined);
    await throughput('builtin', dir, false, 64);
    const qemuOff = await throughput('qemu', dir, false);
    const qemuRandom = await throughput('qemu', dir, undefined);
    console.log(`built-in / QEMU, same run: lazy off ${(builtinOff / qemuOff).toFixed(1)}x, lazy random ${(builtinRandom / qemuRandom).toFixed(1)}x`);
    await mutantTimes(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
