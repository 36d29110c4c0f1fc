/**
 * Canaries (TigerBeetle's VOPR idea): deliberately broken built-in engines must be caught, each by
 * the property its broken rule feeds (ORD-1/2/5/9 and ORD-8 by P1, LAZY-2/4 by P1 with lazy
 * refcounts, L2-2 by lockstep), with a case that does not fail on the unmutated engine. Lazy-mode
 * mutants run with the engine's documented lazy findings passed over (P4 [GD-1], P4 [GD-2]).
 * Without the growth profile: none of these mutants needs it, and shrinking a failure of one of
 * its runs would judge states across thousands of crash points per bulk write. link-after-failed-write
 * needs an injected I/O error (runs with `faults: 'eio'`) and breaks P6, or P1/P4 at a later crash.
 */
import { describe, expect, it } from 'vitest';
import type { MutantName } from '../src/engine/mutants.js';
import { finalizeFailure } from '../src/fuzz/campaign/finalize-failure.js';
import { runBatch } from '../src/fuzz/campaign/property-batch.js';
import { replayCase } from '../src/fuzz/case/replay-case.js';
import { makeTarget } from '../src/fuzz/target/make-target.js';

const RUNS = Math.max(40, Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 40));

const canaries: Array<{ mutant: MutantName; lazy: boolean; property: string }> = [
  { mutant: 'refcount-after-l2', lazy: false, property: 'P1' },
  { mutant: 'decref-before-unlink', lazy: false, property: 'P1' },
  { mutant: 'l1-before-l2', lazy: false, property: 'P1' },
  { mutant: 'header-rewrite-in-place', lazy: false, property: 'P1' },
  { mutant: 'copied-flag-stale', lazy: false, property: 'LOCKSTEP' },
  { mutant: 'dirty-bit-unsynced', lazy: true, property: 'P1' },
  { mutant: 'clean-before-flush', lazy: true, property: 'P1' },
];

describe('fuzz canaries: mutants of the built-in engine are caught', () => {
  for (const c of canaries) {
    it(`${c.mutant} breaks ${c.property}`, async () => {
      const target = await makeTarget('builtin', [c.mutant]);
      const known = new Set(c.lazy ? ['P4:GD-1', 'P4:GD-2'] : []);
      const { failure: raw } = await runBatch({ target, fixed: { lazyRefcounts: c.lazy, growth: false }, statesPerCrash: 48, maxCommands: 16, shouldStop: () => false, isKnown: (s) => known.has(s) }, 1, RUNS);
      expect(raw?.outcome.violation.property).toBe(c.property);
      const found = await finalizeFailure(raw!, { target, mutants: [c.mutant], statesPerCrash: 48, campaignSeed: 1 });
      expect(found.operations.length).toBeLessThanOrEqual(12);
      expect((await replayCase(found, target)).reproduced).toBe(true);
      expect((await replayCase(found, await makeTarget('builtin'))).reproduced).toBe(false);
    });
  }
});

describe('fuzz canary under injected I/O errors (--faults eio, P6)', () => {
  it('link-after-failed-write is caught, with a short case that passes without the mutant', async () => {
    const target = await makeTarget('builtin', ['link-after-failed-write']);
    const { failure: raw } = await runBatch({ target, fixed: { growth: false }, statesPerCrash: 48, maxCommands: 16, faults: 'eio', shouldStop: () => false }, 1, RUNS);
    expect(['P1', 'P4', 'P6']).toContain(raw?.outcome.violation.property);
    const found = await finalizeFailure(raw!, { target, mutants: ['link-after-failed-write'], statesPerCrash: 48, campaignSeed: 1 });
    expect(found.fault?.kind).toBe('eio');
    expect(found.operations.length).toBeLessThanOrEqual(12);
    expect((await replayCase(found, target)).reproduced).toBe(true);
    expect((await replayCase(found, await makeTarget('builtin'))).reproduced).toBe(false);
  });
});
