/**
 * classifyCase on corpus cases of the built-in engine, against the unmutated built-in baseline: a
 * mutant's failure is a regression (the engine without the mutant passes), a case whose recorded
 * state the baseline's writes cannot rebuild is diverged. No built-in case fails on the unmutated
 * engine, so `pre-existing` is shown against a QEMU baseline in test/src/cli/commands/baseline.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinBaseline, countClasses } from '../../../../src/fuzz/baseline/baseline.js';
import { classifyCase } from '../../../../src/fuzz/baseline/classify-case.js';
import { readCase } from '../../../../src/fuzz/case/fuzz-case.js';

const corpusFile = (name: string) => fileURLToPath(new URL(`../../../../corpus/${name}.json`, import.meta.url));

describe('classifyCase against the built-in baseline', () => {
  it('classes a mutant failure as a regression: the engine without the mutant passes', async () => {
    const path = corpusFile('builtin-mutant-l1-before-l2');
    const k = await classifyCase(readCase(path), builtinBaseline(), path);
    expect(k).toEqual({ class: 'regression', detail: 'the baseline passes' });
  });

  it('classes a case whose recorded crash state the baseline cannot rebuild as diverged', async () => {
    // Recorded as diverging on the built-in engine itself: its writes no longer make the state.
    const path = corpusFile('builtin-lazy-repair-zeroes-backing');
    const k = await classifyCase(readCase(path), builtinBaseline(), path);
    expect(k.class).toBe('diverged');
    expect(k.detail).toMatch(/^the baseline wrote something else, so crash state \S+ does not exist there \(/);
  });

  it('refuses a case of another engine than the baseline', async () => {
    const path = corpusFile('qemu-discard-reuse-before-unlink');
    await expect(classifyCase(readCase(path), builtinBaseline(), path)).rejects.toThrow('a qemu case against a builtin baseline');
  });

  it('counts every class, zero or not', () => {
    expect(countClasses(['regression', undefined, 'diverged', 'regression'])).toEqual({ regression: 2, 'pre-existing': 0, diverged: 1 });
  });
});
