/**
 * Crash properties on QEMU (qemu-io and qemu-img over blklogwrites; needs qemu-utils, never
 * mocked), lazy refcounts off: lockstep and P1-P5 as in fuzz-builtin, with `qemu-img check -r all`
 * as a third recovery. The documented QEMU 7.2 defect, the snapshot-apply COPIED window (P1 [L1-3],
 * corpus: qemu-snapshot-apply-copied-window), is passed over here and replayed by the corpus
 * test, so that any other break still fails. Small budget (5 runs; CRASHCOW_PROPERTY_RUNS / 4).
 */
import { describe, expect, it } from 'vitest';
import { finalizeFailure } from '../src/fuzz/campaign/finalize-failure.js';
import { runBatch } from '../src/fuzz/campaign/property-batch.js';
import { makeTarget } from '../src/fuzz/target/make-target.js';

const RUNS = Math.max(5, Math.floor(Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 20) / 4));

describe('fuzz: QEMU, lazy refcounts off', () => {
  it('keeps every property apart from the documented snapshot-apply window', async () => {
    const target = await makeTarget('qemu');
    try {
        const { failure: raw, stats } = await runBatch({ target, fixed: { lazyRefcounts: false }, statesPerCrash: 24, maxCommands: 12, shouldStop: () => false, isKnown: (s) => s === 'P1:L1-3' }, 20260103, RUNS);
      const found = raw && (await finalizeFailure(raw, { target, mutants: [], statesPerCrash: 24, campaignSeed: 20260103 }));
      expect(found && JSON.stringify({ violation: found.violation, image: found.image, operations: found.operations, crash: found.crash })).toBeNull();
      expect(stats.crashStates).toBeGreaterThan(RUNS);
    } finally {
      await target.dispose();
    }
  });
});
