/**
 * Crash properties on the unmutated built-in engine with lazy refcounts on: a dirty image may carry
 * stale refcounts (and an L2 link to unwritten data past the end of the file) and nothing else
 * (P1), recovery repairs it (P3, through crashcow's repair), and so on as in fuzz-builtin. The one
 * documented defect, the lazy-refcounts link-before-data window (P4 [GD-2], corpus:
 * builtin-lazy-refcounts-link-before-data), is replayed by the corpus test; here it is passed over
 * so that any other break still fails.
 */
import { describe, expect, it } from 'vitest';
import { finalizeFailure } from '../src/fuzz/campaign/finalize-failure.js';
import { runBatch } from '../src/fuzz/campaign/property-batch.js';
import { makeTarget } from '../src/fuzz/target/make-target.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 20);

describe('fuzz: built-in engine, lazy refcounts on', () => {
  it('keeps every property apart from the documented link-before-data window', async () => {
    const target = await makeTarget('builtin');
    const known = new Set(['P4:GD-2']);
    const { failure: raw, stats } = await runBatch({ target, fixed: { lazyRefcounts: true }, statesPerCrash: 48, maxCommands: 20, shouldStop: () => false, isKnown: (s) => known.has(s) }, 20260102, RUNS);
    const found = raw && (await finalizeFailure(raw, { target, mutants: [], statesPerCrash: 48, campaignSeed: 20260102 }));
    expect(found && JSON.stringify({ violation: found.violation, image: found.image, operations: found.operations, crash: found.crash })).toBeNull();
    expect(stats.crashStates).toBeGreaterThan(RUNS * 5);
  });
});
