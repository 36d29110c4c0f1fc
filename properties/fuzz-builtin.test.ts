/**
 * Crash properties on the unmutated built-in engine, lazy refcounts off: lockstep after every
 * flush and close (LOCKSTEP: the spec's guest view equals the model, every invariant holds), and
 * on every crash state P1 (ordering: no corruption while the dirty bit is clear), P2 (dirty bit),
 * P3 (recovery and `check -r all` end clean), P4 (durability, GD-1..GD-4) and P5 (a crash inside
 * the recovery). Seeded; CRASHCOW_PROPERTY_RUNS raises the budget (default 20 runs).
 */
import { describe, expect, it } from 'vitest';
import { finalizeFailure } from '../src/fuzz/campaign/finalize-failure.js';
import { runBatch } from '../src/fuzz/campaign/property-batch.js';
import { makeTarget } from '../src/fuzz/target/make-target.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 20);

describe('fuzz: built-in engine, lazy refcounts off', () => {
  it('keeps P1-P5 and lockstep on every run', async () => {
    const target = await makeTarget('builtin');
    const { failure: raw, stats } = await runBatch({ target, fixed: { lazyRefcounts: false }, statesPerCrash: 48, maxCommands: 20, shouldStop: () => false }, 20260101, RUNS);
    const found = raw && (await finalizeFailure(raw, { target, mutants: [], statesPerCrash: 48, campaignSeed: 20260101 }));
    expect(found && JSON.stringify({ violation: found.violation, image: found.image, operations: found.operations, crash: found.crash })).toBeNull();
    expect(stats.crashStates).toBeGreaterThan(RUNS * 5);
  });
});
