/**
 * Cost per crash state against image size (`npm run bench:fuzz`, first section): states judged per
 * second by one job of the built-in engine, every property applied, on image profiles of growing
 * size, with the full judge (`--judge full`) and the incremental one, one after the other in the
 * same run (seed 1, findings counted, not shrunk). Each campaign has the same runs budget for both
 * judges, and both give the same verdicts, so both judge exactly the same states: the ratio is the
 * incremental judge's speed-up on a whole campaign. It shrinks only the check of each state as the
 * crash left it; recoveries and P4 cost the same either way. Also states per CPU second of the
 * process (the job runs in process), steadier than wall time on a shared machine.
 * BENCH_PROFILE_RUNS scales the runs budgets (default 1: 100 runs on 1 MiB, 4 on 64 MiB, 1 on the
 * 1 GiB large profile, whose runs are cut to BENCH_LARGE_COMMANDS commands, default 8). The seconds
 * per run of the 1 MiB and large profiles give the share of a campaign's time that drawing the
 * large profile one run in LARGE_ONE_IN costs. Then the check alone per state, on larger images
 * (checkOnly): what the incremental judge saves where it applies.
 */
import { join } from 'node:path';
import { Campaign } from '../src/fuzz/campaign/campaign.js';
import { DEFAULT_MAX_COMMANDS, DEFAULT_STATES_PER_CRASH } from '../src/fuzz/campaign/campaign-settings.js';
import type { FixedImageOptions } from '../src/fuzz/commands/image-options-arb.js';
import { LARGE_ONE_IN } from '../src/fuzz/commands/image-profile.js';
import { writeContent } from '../src/fuzz/content/content-tag.js';
import type { FuzzImageOptions } from '../src/fuzz/image-options.js';
import { summarizeCheck } from '../src/fuzz/oracle/check-summary.js';
import { baseCheckOf } from '../src/fuzz/oracle/incremental/base-check.js';
import { checkIncrementally } from '../src/fuzz/oracle/incremental/incremental-check.js';
import type { JudgeMode } from '../src/fuzz/oracle/state-checker.js';
import { BuiltinTarget } from '../src/fuzz/target/builtin-target.js';
import { CrashPlan } from '../src/storage/crash-states/crash-plan.js';
import { toByteSource } from '../src/storage/to-byte-source.js';

const MIB = 1 << 20;

interface Profile {
  name: string;
  fixed: FixedImageOptions;
  /** Runs per campaign at BENCH_PROFILE_RUNS=1. */
  runs: number;
  /** Commands per run (default DEFAULT_MAX_COMMANDS). */
  maxCommands?: number;
}

/**
 * The profiles, smallest first: today's smallest disk (the rest drawn), a populated 64 MiB disk of
 * 4 KiB clusters (16,384 of them allocated), and the large profile (1 GiB, 102,400 clusters
 * allocated, snapshots of them, a refcount table of two clusters).
 */
export const PROFILES: readonly Profile[] = [
  { name: '1 MiB (drawn clusters)', fixed: { virtualSizeBytes: MIB }, runs: 100 },
  { name: '64 MiB filled, 4 KiB clusters', fixed: { virtualSizeBytes: 64 * MIB, fillBytes: 64 * MIB, clusterSizeBytes: 4096 }, runs: 4 },
  { name: '1 GiB large profile', fixed: { profile: 'large' }, runs: 1, maxCommands: Number(process.env.BENCH_LARGE_COMMANDS ?? 8) },
];

interface Measured {
  states: number;
  seconds: number;
  cpuSeconds: number;
  runs: number;
  groups: number;
  incremental: number;
}

async function measure(profile: Profile, judge: JudgeMode, runs: number, dir: string): Promise<Measured> {
  const start = Date.now();
  const cpu = process.cpuUsage();
  const r = await new Campaign(
    {
      engine: 'builtin',
      mutants: [],
      plan: { masterSeed: 1, totalRuns: runs, shardIndex: 0, shardCount: 1, jobCount: 1 },
      deadlineMs: null,
      fixed: profile.fixed,
      statesPerCrash: DEFAULT_STATES_PER_CRASH,
      maxCommands: profile.maxCommands ?? DEFAULT_MAX_COMMANDS,
      shrink: false,
      judge,
    },
    { corpusDir: join(dir, `profile-${profile.fixed.profile ?? profile.fixed.virtualSizeBytes}-${judge}`) },
  ).run();
  const used = process.cpuUsage(cpu);
  return { states: r.stats.crashStates, seconds: (Date.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6, runs: r.stats.runs, groups: r.stats.stateGroups, incremental: r.stats.incrementalChecks };
}

/** Prints one row per profile and judge, and the incremental / full ratio per profile. */
export async function judgeProfiles(dir: string): Promise<void> {
  const scale = Number(process.env.BENCH_PROFILE_RUNS ?? 1);
  console.log('cost per state against image size: builtin, 1 job, every property, the same runs for the full and the incremental judge (seed 1):');
  const secondsPerRun = new Map<string, number>();
  const cpuPerState = new Map<string, number>();
  for (const profile of PROFILES) {
    const got: Partial<Record<JudgeMode, Measured>> = {};
    for (const judge of ['full', 'incremental'] as const) {
      const m = await measure(profile, judge, Math.max(1, Math.round(profile.runs * scale)), dir);
      got[judge] = m;
      const perS = Math.round(m.states / m.seconds);
      const perCpuS = Math.round(m.states / m.cpuSeconds);
      if (judge === 'incremental') secondsPerRun.set(profile.name, m.cpuSeconds / m.runs);
      if (judge === 'incremental') cpuPerState.set(profile.name, m.cpuSeconds / Math.max(1, m.states));
      console.log(`${profile.name.padEnd(31)} ${judge.padEnd(11)} ${String(m.states).padStart(8)} states in ${m.seconds.toFixed(1)} s = ${String(perS).padStart(6)} states/s (${String(perCpuS).padStart(6)} per CPU s); runs ${m.runs}, judged in full ${m.groups}, checked incrementally ${m.incremental}`);
    }
    const rate = (m: Measured): number => m.states / m.cpuSeconds;
    console.log(`${profile.name.padEnd(31)} incremental / full: ${(rate(got.incremental!) / rate(got.full!)).toFixed(2)}x per CPU s, ${((got.incremental!.states / got.incremental!.seconds) / (got.full!.states / got.full!.seconds)).toFixed(2)}x per s`);
  }
  const [small, , large] = PROFILES.map((p) => p.name);
  console.log(`CPU ms per state (incremental, run setup included): 1 MiB ${(cpuPerState.get(small)! * 1000).toFixed(2)}, large ${(cpuPerState.get(large)! * 1000).toFixed(1)} = ${(cpuPerState.get(large)! / cpuPerState.get(small)!).toFixed(0)}x`);
  printLargeShare(secondsPerRun.get(small)!, secondsPerRun.get(large)!);
}

/** A rate with 3 significant digits below 100, whole above. */
function rateText(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toPrecision(3);
}

/**
 * The share of a campaign's CPU time that large runs take when one run in LARGE_ONE_IN is drawn in
 * that profile, from the CPU seconds per run (incremental judge) of the 1 MiB profile (standing
 * for every other run) and of the large profile (its runs cut to BENCH_LARGE_COMMANDS commands).
 */
function printLargeShare(smallSeconds: number, largeSeconds: number): void {
  const large = largeSeconds / LARGE_ONE_IN;
  const share = large / (large + smallSeconds * (1 - 1 / LARGE_ONE_IN));
  console.log(`CPU s per run (incremental): 1 MiB ${smallSeconds.toFixed(3)}, large ${largeSeconds.toFixed(1)} = ${(largeSeconds / smallSeconds).toFixed(0)}x; large drawn one run in ${LARGE_ONE_IN}: ${(share * 100).toFixed(1)}% of a campaign's CPU time`);
}

/** An image for the check-only table: size, cluster size and how much of it is written. */
interface CheckShape {
  name: string;
  virtualSizeBytes: number;
  clusterSizeBytes: number;
  fillBytes: number;
}

const CHECK_SHAPES: readonly CheckShape[] = [
  { name: '1 MiB, 4 KiB clusters, filled', virtualSizeBytes: MIB, clusterSizeBytes: 4096, fillBytes: MIB },
  { name: '64 MiB, 4 KiB clusters, filled', virtualSizeBytes: 64 * MIB, clusterSizeBytes: 4096, fillBytes: 64 * MIB },
  { name: '64 MiB, 512 B clusters, half filled', virtualSizeBytes: 64 * MIB, clusterSizeBytes: 512, fillBytes: 32 * MIB },
  { name: '1 GiB, 64 KiB clusters, half filled', virtualSizeBytes: 1024 * MIB, clusterSizeBytes: 65536, fillBytes: 512 * MIB },
];

/**
 * The check alone, per crash state: a flushed image of each shape, then an epoch of 8 scattered
 * 4 KiB writes; every state of the crash (up to 256) checked by the full checker and by the
 * incremental one (its base check of the flushed image counted once, apart).
 */
export async function checkOnly(): Promise<void> {
  console.log('\nthe check of a state as the crash left it, alone (8 scattered 4 KiB writes after a flush, up to 256 states):');
  for (const shape of CHECK_SHAPES) {
    const target = new BuiltinTarget();
    const options: FuzzImageOptions = { virtualSizeBytes: shape.virtualSizeBytes, clusterSizeBytes: shape.clusterSizeBytes, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback', fillBytes: shape.fillBytes };
    const session = await target.startSession(options, 1);
    for (let i = 0; i < 8; i++) {
      const at = ((i * 7919) % (shape.virtualSizeBytes / 4096)) * 4096;
      await session.image.write(at, writeContent(1, i + 1, at, 4096));
    }
    await session.sync();
    const states = [...new CrashPlan(session.segmentBase, session.ops(), { maxStates: 256, seed: 1 }).statesAt(session.ops().length, 256)];
    let t = performance.now();
    for (const s of states) summarizeCheck(s.source());
    const fullMs = (performance.now() - t) / states.length;
    t = performance.now();
    const base = baseCheckOf(toByteSource(states[0].model.durable));
    const baseMs = performance.now() - t;
    let incremental = 0;
    t = performance.now();
    for (const s of states) if (base !== null && 'summary' in checkIncrementally(base, s, s.view())) incremental++;
    const incrementalMs = (performance.now() - t) / states.length;
    console.log(`${shape.name.padEnd(36)} ${String(states.length).padStart(4)} states: full ${fullMs.toFixed(3)} ms/state, incremental ${incrementalMs.toFixed(3)} ms/state (${incremental} incremental; base check ${baseMs.toFixed(1)} ms once) = ${(fullMs / incrementalMs).toFixed(1)}x`);
    await session.dispose();
  }
}
