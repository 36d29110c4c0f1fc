/**
 * A damage run's end (FuzzRun with fault 'damage'): a clean close recorded as a reopen, then P7 on
 * the damaged copies the nemesis draws. With the repair-naive-increment mutant some seed's damage
 * breaks P7 and the outcome carries that damage; crashcow's own repair keeps P7 on the same seeds.
 */
import { describe, expect, it } from 'vitest';
import type { MutantName } from '../../../../src/engine/mutants.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';
import { SMALL_IMAGE, workload } from '../damage/damage-fixture.js';

async function damageRun(seed: number, mutants: MutantName[]) {
  const target = await makeTarget('builtin', mutants);
  const run = await FuzzRun.start({ target, options: SMALL_IMAGE, seed, statesPerCrash: 4, fault: 'damage', judgeCrashes: false });
  for (const op of workload().slice(0, -1)) await run.apply(op);
  return run.finish();
}

describe('a damage run', () => {
  it('ends with a clean close and judges damaged images; crashcow\'s repair keeps P7', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const o = await damageRun(seed, []);
      expect(o.verdict, `seed ${seed}: ${o.verdict === 'fail' ? o.violation.summary : ''}`).toBe('pass');
      expect(o.history[o.history.length - 1]).toEqual({ kind: 'reopen' });
      expect(o.stats.damagedImages).toBeGreaterThan(0);
      expect(o.stats.crashStates).toBe(0);
    }
  });

  it('fails with the damage recorded when the repair is the naive-increment mutant', async () => {
    let failed = 0;
    for (let seed = 1; seed <= 12 && failed === 0; seed++) {
      const o = await damageRun(seed, ['repair-naive-increment']);
      if (o.verdict !== 'fail') continue;
      failed++;
      expect(o.violation.property).toBe('P7');
      expect(o.crash).toBeNull();
      expect(o.damage?.patches.length).toBeGreaterThan(0);
    }
    expect(failed).toBe(1);
  });
});
