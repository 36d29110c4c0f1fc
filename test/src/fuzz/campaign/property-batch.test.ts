/**
 * runBatch with `shrink: false` (the throughput benchmark): the first failing run comes back as it
 * failed, and no run is spent on shrinking; by default fast-check shrinks it.
 */
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../../src/fuzz/campaign/property-batch.js';
import { newRunStats } from '../../../../src/fuzz/runner/run-stats.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';

async function batch(shrink: boolean | undefined) {
  const target = await makeTarget('builtin', ['refcount-after-l2']);
  const stats = newRunStats();
  const raw = await runBatch({ target, fixed: { lazyRefcounts: false, growth: false }, statesPerCrash: 48, maxCommands: 16, shrink, stats, shouldStop: () => false }, 1, 40);
  await target.dispose();
  return { raw, stats };
}

describe('runBatch shrinking', () => {
  it('returns the failing run unshrunk, with no shrink runs, when shrink is false', async () => {
    const unshrunk = await batch(false);
    const shrunk = await batch(undefined);
    expect(unshrunk.raw?.violation.property).toBe('P1');
    expect(shrunk.raw?.violation.property).toBe('P1');
    expect(unshrunk.stats.shrinkRuns).toBe(0);
    expect(shrunk.stats.shrinkRuns).toBeGreaterThan(0);
    expect(unshrunk.raw!.history.length).toBeGreaterThan(shrunk.raw!.history.length);
  });
});
