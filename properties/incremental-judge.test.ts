/**
 * The incremental judge is the full check: on the crash states of real built-in engine runs
 * (random image options, half of them populated before the run, the growth profile one run in
 * four, snapshots created, applied and deleted, lazy refcounts, with and without mutants, so that
 * broken states are compared as well as clean ones), the check summary the incremental judge gives a state (src/fuzz/oracle/
 * incremental: the crash point's flushed image checked once, then only what the state changed)
 * equals the full check of the state (summarizeCheck), finding by finding: the same findings in
 * the same order with the same witnesses, counters, omissions, dirty bit and rule sets, so the
 * same exit code and the same P1-P3 verdicts (RC-*, L1-*, L2-*, AL-*, HDR-* as the checker finds them).
 * Seeded; CRASHCOW_PROPERTY_RUNS sets the budget (default 25 runs; `npm run test:properties`: 1000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutantSpecs, type MutantName } from '../src/engine/mutants.js';
import { imageOptionsArb } from '../src/fuzz/commands/image-options-arb.js';
import { writeContent } from '../src/fuzz/content/content-tag.js';
import type { FuzzImageOptions } from '../src/fuzz/image-options.js';
import { summarizeCheck } from '../src/fuzz/oracle/check-summary.js';
import { IncrementalStateChecker } from '../src/fuzz/oracle/state-checker.js';
import { BuiltinTarget } from '../src/fuzz/target/builtin-target.js';
import type { FuzzSession } from '../src/fuzz/target/fuzz-target.js';
import { CrashPlan } from '../src/storage/crash-states/crash-plan.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 25);
const SEED = 20261216;
/** States compared per run (each is checked in full too). */
const STATES_PER_RUN = 48;
const SECTOR_BYTES = 512;
const MIB = 1 << 20;

const MUTANTS: ReadonlyArray<MutantName | null> = [null, null, null, ...mutantSpecs.map((m) => m.name).filter((n) => n !== 'repair-naive-increment')];

/** A guest op before the run places it: offsets are fractions of the disk. */
type OpPlan =
  | { kind: 'write' | 'write-zeroes' | 'discard'; at: number; sectors: number; unmap: boolean }
  | { kind: 'bulk'; at: number; clusters: number }
  | { kind: 'flush' | 'snapshot-create' | 'snapshot-apply' | 'snapshot-delete' };

/** Where on the disk, as a fraction (unbiased: fast-check's bias would put most ops at 0). */
const atArb = fc.noBias(fc.integer({ min: 0, max: 0xffff })).map((n) => n / 0x10000);

const opPlanArb: fc.Arbitrary<OpPlan> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('write' as const), at: atArb, sectors: fc.integer({ min: 1, max: 40 }), unmap: fc.constant(false) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('write-zeroes' as const, 'discard' as const), at: atArb, sectors: fc.integer({ min: 1, max: 40 }), unmap: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bulk' as const), at: atArb, clusters: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 5, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'snapshot-create' as const }, { kind: 'snapshot-create' as const }, { kind: 'snapshot-apply' as const }, { kind: 'snapshot-delete' as const }) },
);

interface Scenario {
  options: FuzzImageOptions;
  growth: boolean;
  /** Half the disk populated before the run (FuzzImageOptions.fillBytes), outside the growth profile. */
  fill: boolean;
  mutant: MutantName | null;
  plans: OpPlan[];
  seed: number;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  options: imageOptionsArb({ growth: false }),
  growth: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  fill: fc.boolean(),
  mutant: fc.constantFrom(...MUTANTS),
  plans: fc.array(opPlanArb, { minLength: 2, maxLength: 14 }),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** The growth profile's shape (image-options-arb.ts): 512 B clusters, 64-bit refcounts, 4 MiB. */
function optionsOf(s: Scenario): FuzzImageOptions {
  if (!s.growth) return s.fill ? { ...s.options, fillBytes: s.options.virtualSizeBytes / 2 } : s.options;
  return { ...s.options, virtualSizeBytes: 4 * MIB, clusterSizeBytes: 512, refcountBits: 64, compat: '1.1', extendedL2: false, backing: null };
}

/** Runs the scenario's ops (stopping at the first an engine refuses) and returns the session. */
async function runWorkload(s: Scenario, o: FuzzImageOptions): Promise<{ session: FuzzSession; target: BuiltinTarget }> {
  const target = new BuiltinTarget({ mutants: s.mutant ? [s.mutant] : [] });
  const session = await target.startSession(o, s.seed);
  const names: string[] = [];
  let writeId = 1;
  const diskSectors = o.virtualSizeBytes / SECTOR_BYTES;
  for (const p of s.plans) {
    const image = session.image;
    try {
      if (p.kind === 'flush') await image.flush();
      else if (p.kind === 'snapshot-create') {
        if (o.refcountBits < 4 || names.length >= 3) continue;
        const name = `s${names.length + 1}`;
        await image.snapshotCreate(name);
        names.push(name);
      } else if (p.kind === 'snapshot-apply') {
        if (names.length > 0) await image.snapshotApply(names[names.length - 1]);
      } else if (p.kind === 'snapshot-delete') {
        if (names.length > 0) await image.snapshotDelete(names.shift()!);
      } else if (p.kind === 'bulk') {
        // The growth profile's bulk writes pass the 2 MiB its first refcount table covers.
        const clusterSectors = o.clusterSizeBytes / SECTOR_BYTES;
        const clusters = s.growth ? p.clusters * 72 : p.clusters;
        const lengthBytes = Math.min(clusters * o.clusterSizeBytes, MIB * (s.growth ? 3 : 1), o.virtualSizeBytes);
        const first = Math.floor((p.at * (o.virtualSizeBytes - lengthBytes)) / o.clusterSizeBytes) * clusterSectors;
        await image.write(first * SECTOR_BYTES, writeContent(s.seed, writeId++, first * SECTOR_BYTES, lengthBytes));
      } else {
        const first = Math.floor(p.at * diskSectors);
        const lengthBytes = Math.min(p.sectors, diskSectors - first) * SECTOR_BYTES;
        const offsetBytes = first * SECTOR_BYTES;
        if (p.kind === 'write') await image.write(offsetBytes, writeContent(s.seed, writeId++, offsetBytes, lengthBytes));
        else if (p.kind === 'discard') await image.discard(offsetBytes, lengthBytes);
        else await image.writeZeroes(offsetBytes, lengthBytes, { unmap: p.unmap });
      }
    } catch {
      break; // a mutant may leave an image its own next op refuses; the ops recorded so far still make a plan
    }
  }
  await session.sync();
  return { session, target };
}

/** Totals over all runs, to show the property compared what it claims to. */
const seen = { runs: 0, states: 0, incremental: 0, withFindings: 0, incrementalWithFindings: 0, growth: 0, snapshots: 0, fallbacks: {} as Record<string, number> };

describe('incremental judge: the check of a crash state from its flushed image equals the full check', () => {
  it('on the crash states of built-in engine runs (growth profile, snapshots, lazy refcounts, mutants)', async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const o = optionsOf(s);
        const { session } = await runWorkload(s, o);
        try {
          const checker = new IncrementalStateChecker();
          for (const state of new CrashPlan(session.segmentBase, session.ops(), { maxStates: STATES_PER_RUN, seed: s.seed }).states()) {
            const full = summarizeCheck(state.source());
            const before = checker.stats.incremental;
            const incremental = checker.summarize(state, state.view());
            expect(incremental, `state ${state.id}`).toEqual(full);
            seen.states++;
            const byIncrement = checker.stats.incremental > before;
            if (byIncrement) seen.incremental++;
            if (full.report.findings.length > 0) {
              seen.withFindings++;
              if (byIncrement) seen.incrementalWithFindings++;
            }
          }
          for (const [reason, n] of Object.entries(checker.stats.full)) seen.fallbacks[reason] = (seen.fallbacks[reason] ?? 0) + n;
          seen.runs++;
          if (s.growth) seen.growth++;
          if (s.plans.some((p) => p.kind === 'snapshot-create')) seen.snapshots++;
        } finally {
          await session.dispose();
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`incremental judge property: ${RUNS} runs in ${((Date.now() - started) / 1000).toFixed(1)} s; ${JSON.stringify(seen)}`);
    // Not vacuous: most states went the incremental way, some of them with findings to compare.
    expect(seen.incremental).toBeGreaterThan(seen.states / 2);
    expect(seen.incrementalWithFindings).toBeGreaterThan(0);
    expect(seen.growth).toBeGreaterThan(0);
  });
});
