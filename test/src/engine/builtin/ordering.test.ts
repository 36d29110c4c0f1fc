/**
 * Declared write ordering (ORD-1..ORD-9 with ORD-4 under lazy refcounts, LAZY-2, LAZY-4, L2-2, MUT-15), checked on the device log a
 * RecordingDevice keeps: the built-in engine satisfies every ordering case, and each mutant breaks
 * the case for its rule (so these tests fail for the mutant, as they must).
 */
import { describe, expect, it } from 'vitest';
import { mutantSpecs } from '../../../../src/engine/mutants.js';
import { orderingCases } from './ordering-cases.js';
import { record } from './record.js';

describe('declared metadata write ordering', () => {
  for (const c of orderingCases) {
    it(`${c.rule}: ${c.claim}`, async () => {
      expect(c.holds(await record(c.spec))).toBe(true);
    });

    it(`${c.rule}: mutant ${c.mutant} breaks it`, async () => {
      expect(c.holds(await record({ ...c.spec, mutants: [c.mutant] }))).toBe(false);
    });
  }

  it('each mutant breaks only its own case (the dirty bit lives in the header, so those three overlap)', async () => {
    const broken: string[] = [];
    for (const c of orderingCases) {
      for (const m of orderingCases) {
        if (c.mutant !== m.mutant && !c.holds(await record({ ...c.spec, mutants: [m.mutant] }))) broken.push(`${c.rule} by ${m.mutant}`);
      }
    }
    expect(broken).toEqual(['LAZY-2 by header-rewrite-in-place', 'LAZY-4 by header-rewrite-in-place', 'ORD-8 by dirty-bit-unsynced']);
  });

  it('has an ordering case for every mutant outside the repair and error paths', () => {
    const covered = new Set(orderingCases.map((c) => c.mutant));
    const missing = mutantSpecs.map((m) => m.name).filter((n) => !covered.has(n));
    expect(missing).toEqual(['repair-naive-increment', 'repair-trusts-past-eof', 'link-after-failed-write']);
  });

  // link-after-failed-write changes nothing while every write succeeds: it is tested with injected
  // I/O errors in test/src/engine/builtin/error-paths.test.ts.

  // repair-naive-increment and repair-trusts-past-eof have no ordering case: their switches are in
  // the repair, not the engine. They are tested in test/src/repair/repair-naive-increment.test.ts
  // (through the engine's dirty open too) and test/src/repair/repair-trusts-past-eof.test.ts, and
  // found by the damage campaign (test/src/fuzz/damage-cli.test.ts).
});
