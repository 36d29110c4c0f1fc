/**
 * runBatch: the property fails only on a failing outcome the campaign does not know; with
 * `shrink: false` (the throughput benchmark) the first failing run comes back as it failed, and no
 * run is spent on shrinking; by default fast-check shrinks it. Its counters are the sum of its runs'.
 */
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../../src/fuzz/campaign/property-batch.js';
import { newRunStats, sumStats, type RunStats } from '../../../../src/fuzz/runner/run-stats.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';

async function batch(shrink: boolean | undefined, isKnown?: (signature: string) => boolean) {
  const target = await makeTarget('builtin', ['refcount-after-l2']);
  let perRun = newRunStats();
  const r = await runBatch({ target, fixed: { lazyRefcounts: false, growth: false }, statesPerCrash: 48, maxCommands: 16, shrink, shouldStop: () => false, isKnown, onRun: (s: RunStats) => void (perRun = sumStats(perRun, s)) }, 1, 40);
  await target.dispose();
  return { ...r, perRun };
}

describe('runBatch', () => {
  it('returns the failing run unshrunk, with no shrink runs, when shrink is false', async () => {
    const unshrunk = await batch(false);
    const shrunk = await batch(undefined);
    expect(unshrunk.failure?.outcome.violation.property).toBe('P1');
    expect(shrunk.failure?.outcome.violation.property).toBe('P1');
    expect(unshrunk.stats.shrinkRuns).toBe(0);
    expect(shrunk.stats.shrinkRuns).toBeGreaterThan(0);
    expect(unshrunk.failure!.outcome.history.length).toBeGreaterThan(shrunk.failure!.outcome.history.length);
    expect(shrunk.failure!.outcome.crash?.state.id).toBeTruthy();
  });

  it('returns the sum of its runs\' counters', async () => {
    const r = await batch(undefined);
    expect(r.stats).toEqual(r.perRun);
    expect(r.stats.crashStates).toBeGreaterThan(0);
  });

  it('leaves the runs made while shrinking out of its coverage', async () => {
    const r = await batch(undefined);
    expect(r.stats.shrinkRuns).toBeGreaterThan(0);
    for (const [name, values] of Object.entries(r.stats.coverage.imageOptions)) expect(Object.values(values).reduce((n, v) => n + v, 0), name).toBe(r.stats.runs);
    expect(r.stats.coverage.opKinds.write?.runs).toBeLessThanOrEqual(r.stats.runs);
    expect(r.perRun.coverage).toEqual(r.stats.coverage);
  });

  it('passes over runs that repeat a known signature: counted, not shrunk, no failure', async () => {
    const r = await batch(undefined, (s) => s.startsWith('P1:'));
    expect(r.failure).toBeNull();
    expect(r.stats.shrinkRuns).toBe(0);
    expect(r.stats.knownRepeats).toBeGreaterThan(0);
  });
});
