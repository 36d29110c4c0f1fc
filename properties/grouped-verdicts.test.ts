/**
 * Verdict sharing is sound: on the crash plans of real built-in engine runs (unmutated and with
 * mutants, so that violations are compared as well as passes), the verdict the crash judge gives a
 * state while it groups states (state-groups.ts, read-tracker.ts), shares a group's recoveries and
 * maps their data sectors (data-sector-map.ts) and memoizes P4 across the plan
 * (state-verdict-memo.ts) equals the verdict of a fresh judge on the same state rebuilt from a
 * fresh plan (no group, no shared recovery, no memo). Guards P1-P5 as the crash judge applies
 * them (P1 ordering, P2 dirty bit, P3 recovery, P4 durability GD-1..GD-4, P5 repair under crash)
 * and the unknown count (a recovery that cannot run).
 *
 * The target has no separate repairer: a separate repair is judged on one clean group in
 * CLEAN_REPAIR_STRIDE and its P5 on one group in its p5Stride, a sampling that a fresh judge per
 * state would not repeat. The engine's own recovery (with crashcow's repair as its dirty-open
 * hook) runs on every group, so repairs of dirty states are still compared.
 * Seeded; CRASHCOW_PROPERTY_RUNS raises the budget (default 12 runs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutantSpecs, type MutantName } from '../src/engine/mutants.js';
import { imageOptionsArb } from '../src/fuzz/commands/image-options-arb.js';
import { writeContent } from '../src/fuzz/content/content-tag.js';
import type { FuzzImageOptions } from '../src/fuzz/image-options.js';
import { DurabilityOracle, type DurabilityExpectation } from '../src/fuzz/model/durability-oracle.js';
import type { FuzzOp } from '../src/fuzz/model/fuzz-op.js';
import { GuestModel } from '../src/fuzz/model/guest-model.js';
import { CrashStateJudge } from '../src/fuzz/oracle/crash-state-judge.js';
import type { CrashJudgeContext } from '../src/fuzz/oracle/judge-crash-state.js';
import { BuiltinTarget } from '../src/fuzz/target/builtin-target.js';
import { crashcowRepairHook } from '../src/fuzz/target/crashcow-repairer.js';
import type { FuzzSession } from '../src/fuzz/target/fuzz-target.js';
import type { Violation } from '../src/fuzz/violation.js';
import { CrashPlan } from '../src/storage/crash-states/crash-plan.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 12);
const SEED = 20261205;
/** States per plan: enough for groups of several states, few enough for a fresh plan per state. */
const STATES_PER_PLAN = 40;
const SECTOR_BYTES = 512;
/** Small disks: the writes land near each other and share L2 tables and refcount blocks. */
const DISK_BYTES = 1 << 20;

/** The engine unmutated, or with one mutant (but reftable-switch-early: a 1 MiB disk never grows its refcount table). */
const MUTANTS: ReadonlyArray<MutantName | null> = [null, ...mutantSpecs.map((m) => m.name).filter((n) => n !== 'reftable-switch-early')];

/** A guest op before the run gives it a write id (first sector and length in sectors). */
type OpPlan = { kind: 'write' | 'write-zeroes' | 'discard'; at: number; sectors: number; unmap: boolean } | { kind: 'flush' | 'snapshot-create' };

/** A first sector on the run's 1 MiB disk. */
const sectorArb = fc.integer({ min: 0, max: DISK_BYTES / SECTOR_BYTES - 1 });

const opPlanArb: fc.Arbitrary<OpPlan> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), at: sectorArb, sectors: fc.integer({ min: 1, max: 24 }), unmap: fc.constant(false) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('write-zeroes' as const, 'discard' as const), at: sectorArb, sectors: fc.integer({ min: 1, max: 24 }), unmap: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'snapshot-create' as const }) },
);

interface Scenario {
  options: FuzzImageOptions;
  mutant: MutantName | null;
  plans: OpPlan[];
  seed: number;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  options: imageOptionsArb({ growth: false }).map((o) => ({ ...o, virtualSizeBytes: DISK_BYTES, backing: o.backing && { ...o.backing, sizeBytes: Math.min(o.backing.sizeBytes, DISK_BYTES) } })),
  mutant: fc.constantFrom(...MUTANTS),
  plans: fc.array(opPlanArb, { minLength: 1, maxLength: 10 }),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** The guest op of a plan on a disk of `virtualSizeBytes` (run-assigned ids and names). */
function opOf(p: OpPlan, virtualSizeBytes: number, writeId: number, snapshotIndex: number): FuzzOp {
  if (p.kind === 'flush') return { kind: 'flush' };
  if (p.kind === 'snapshot-create') return { kind: 'snapshot-create', name: `s${snapshotIndex}` };
  const diskSectors = virtualSizeBytes / SECTOR_BYTES;
  const first = p.at % diskSectors;
  const lengthBytes = Math.min(p.sectors, diskSectors - first) * SECTOR_BYTES;
  const offsetBytes = first * SECTOR_BYTES;
  if (p.kind === 'write') return { kind: 'write', offsetBytes, lengthBytes, writeId };
  if (p.kind === 'discard') return { kind: 'discard', offsetBytes, lengthBytes };
  return { kind: 'write-zeroes', offsetBytes, lengthBytes, unmap: p.unmap };
}

/** A run of the built-in engine: the session after the workload and the durability oracle of its segment. */
async function runWorkload(s: Scenario): Promise<{ target: BuiltinTarget; session: FuzzSession; oracle: DurabilityOracle }> {
  const target = new BuiltinTarget({ mutants: s.mutant ? [s.mutant] : [], repairHook: crashcowRepairHook });
  const o = s.options;
  const model = new GuestModel({ virtualSizeBytes: o.virtualSizeBytes, clusterSizeBytes: o.clusterSizeBytes, backingSizeBytes: o.backing ? Math.min(o.backing.sizeBytes, o.virtualSizeBytes) : 0 });
  const session = await target.startSession(o, s.seed);
  const oracle = new DurabilityOracle(model);
  let writeId = 1;
  let snapshots = 0;
  for (const p of s.plans) {
    if (p.kind === 'snapshot-create' && (o.refcountBits < 4 || snapshots >= 2)) continue;
    const op = opOf(p, o.virtualSizeBytes, writeId, snapshots + 1);
    const startOp = session.opCount;
    try {
      await apply(session, op, s.seed);
    } catch {
      break; // a mutant may leave an image its own next op refuses; the ops recorded so far still make a plan
    }
    if (op.kind === 'write') writeId++;
    if (op.kind === 'snapshot-create') snapshots++;
    oracle.record(op, model.apply(op), startOp, session.opCount);
  }
  await session.sync();
  return { target, session, oracle };
}

async function apply(session: FuzzSession, op: FuzzOp, seed: number): Promise<void> {
  const image = session.image;
  if (op.kind === 'write') return image.write(op.offsetBytes, writeContent(seed, op.writeId, op.offsetBytes, op.lengthBytes));
  if (op.kind === 'write-zeroes') return image.writeZeroes(op.offsetBytes, op.lengthBytes, { unmap: op.unmap });
  if (op.kind === 'discard') return image.discard(op.offsetBytes, op.lengthBytes);
  if (op.kind === 'flush') return image.flush();
  if (op.kind === 'snapshot-create') await image.snapshotCreate(op.name);
}

/** A verdict as a comparable value: the violation (or null) and the recoveries that gave none. */
function verdictOf(v: Violation | null, unknown: number): unknown {
  return { violation: v, unknown };
}

/** Totals over all runs, to show the property compared what it claims to. */
const seen = { states: 0, shared: 0, violations: 0, passes: 0, mutantViolations: 0 };

describe('crash judge: grouped and memoized verdicts equal verdicts judged alone', () => {
  it('on the crash plans of built-in engine runs, with and without mutants', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const { target, session, oracle } = await runWorkload(s);
        try {
          const ops = session.ops();
          const planOptions = { maxStates: STATES_PER_PLAN, seed: s.seed };
          const ctxOf = (): CrashJudgeContext => ({ target, backing: session.backing, lazyRefcounts: s.options.lazyRefcounts, contentSeed: s.seed, unknown: { count: 0 } });
          const expectations = new Map<number, DurabilityExpectation>();
          const expAt = (p: number): DurabilityExpectation => expectations.get(p) ?? expectations.set(p, oracle.expectAt(p)).get(p)!;
          const groupedCtx = ctxOf();
          const grouped = new CrashStateJudge(groupedCtx);
          for (const state of new CrashPlan(session.segmentBase, ops, planOptions).states()) {
            const unknownBefore = groupedCtx.unknown.count;
            const v = await grouped.judge(state, expAt(state.crashPoint));
            const groupedVerdict = verdictOf(v, groupedCtx.unknown.count - unknownBefore);

            const aloneCtx = ctxOf();
            const alone = new CrashPlan(session.segmentBase, ops, planOptions).rebuild(state.id);
            const aloneVerdict = verdictOf(await new CrashStateJudge(aloneCtx).judge(alone, expAt(alone.crashPoint)), aloneCtx.unknown.count);

            expect(groupedVerdict, `state ${state.id}`).toEqual(aloneVerdict);
            seen.states++;
            if (v) seen.violations++;
            else seen.passes++;
            if (v && s.mutant) seen.mutantViolations++;
          }
          seen.shared += grouped.sharedCount;
        } finally {
          await session.dispose();
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // Not vacuous: states did share their group's verdict, and failing verdicts were compared.
    expect(seen.shared).toBeGreaterThan(0);
    expect(seen.passes).toBeGreaterThan(0);
    expect(seen.mutantViolations).toBeGreaterThan(0);
  });
});
