/** P1-P6 on check facts (spec/semantics/crash-properties.ts). */
import { describe, expect, it } from 'vitest';
import { finding, type Finding, type FindingWitness } from '../../../spec/invariants/finding.js';
import { crashClauses, durabilityPropertyVerdict, failedOperationVerdict, intolerableAfterFault, isHarmfulCorruption, laterRequestsVerdict, newReferencesVerdict, recoveredVerdict, repairUnderCrashVerdict, stateAsLeftVerdict, toleratedWhenDirty, type CheckFacts } from '../../../spec/semantics/crash-properties.js';
import { sectorDurability, unreadableGuestView } from '../../../spec/semantics/durability.js';
import { HOLDS } from '../../../spec/semantics/verdict.js';

function factsOf(findings: Finding[], dirty = false, harmful?: string[]): CheckFacts {
  const rulesOf = (kind: Finding['kind']): string[] => [...new Set(findings.filter((f) => f.kind === kind).map((f) => f.rule))].sort();
  const count = (kind: Finding['kind']): number => findings.filter((f) => f.kind === kind).length;
  return {
    dirty,
    report: { corruptions: count('corruption'), leaks: count('leak'), 'check-errors': count('check-error'), findings, 'findings-omitted': [] },
    corruptionRules: rulesOf('corruption'),
    leakRules: rulesOf('leak'),
    errorRules: rulesOf('check-error'),
    harmfulCorruptionRules: harmful ?? rulesOf('corruption'),
    findings,
  };
}

const copied = (set: boolean, clusterIndex: number): Finding => finding('L2-2', 'corruption', 'L1[0] -> L2 @0x30000 entry 0', 'COPIED mismatch', undefined, { table: 'l2', copied: set, clusterIndex });
const al4 = (w: FindingWitness): Finding => finding('AL-4', 'corruption', 'somewhere', 'past the end', undefined, w);

describe('stateAsLeftVerdict', () => {
  it('P1-1 holds on a clean-bit image with only a leak', () => {
    expect(stateAsLeftVerdict(factsOf([finding('RC-6', 'leak', 'c', 'd')], false), false)).toBe(HOLDS);
  });

  it('P1-1 is violated by a harmful corruption, with the counts and the first finding as witness', () => {
    const f = finding('RC-6', 'corruption', 'cluster 5', 'refcount too low');
    const v = stateAsLeftVerdict(factsOf([f]), false);
    expect(v).toEqual({ status: 'violated', clause: 'P1-1', rules: ['RC-6'], witness: { check: { corruptions: 1, leaks: 0, checkErrors: 0, dirty: false }, finding: f } });
  });

  it('P2-1 is violated by a dirty bit without lazy refcounts', () => {
    expect(stateAsLeftVerdict(factsOf([], true), false)).toMatchObject({ status: 'violated', clause: 'P2-1', rules: ['FEAT-1', 'LAZY-2'] });
  });

  it('P1-2 tolerates stale refcounts and an AL-4 made by an L2 entry on a dirty lazy image, not one made by an L1 entry', () => {
    const stale = [finding('RC-6', 'corruption', 'c', 'd'), al4({ table: 'l2', entryIndex: 3 })];
    expect(stateAsLeftVerdict(factsOf(stale, true), true)).toBe(HOLDS);
    const v = stateAsLeftVerdict(factsOf([...stale, al4({ table: 'l1', entryIndex: 0 })], true), true);
    expect(v).toMatchObject({ status: 'violated', clause: 'P1-2', rules: ['AL-4'] });
  });
});

describe('toleratedWhenDirty and isHarmfulCorruption read witnesses', () => {
  it('an AL-4 without a witness table is not tolerated', () => {
    expect(toleratedWhenDirty(al4({ referencedOffsetBytes: 0x90000 }))).toBe(false);
  });

  it('a clear COPIED flag is harmless; a set one is harmful unless the cluster is referenced once', () => {
    const refs = (c: number): number => (c === 7 ? 1 : 2);
    expect(isHarmfulCorruption(copied(false, 9), refs)).toBe(false);
    expect(isHarmfulCorruption(copied(true, 7), refs)).toBe(false);
    expect(isHarmfulCorruption(copied(true, 9), refs)).toBe(true);
    expect(isHarmfulCorruption(finding('L1-3', 'corruption', 'w', 'd'), refs)).toBe(true);
  });
});

describe('recoveredVerdict', () => {
  it('is unknown when the recovery could not run', () => {
    expect(recoveredVerdict(false, { failure: { message: 'no repair', unsupported: true } }, null, false, false)).toEqual({ status: 'unknown', reason: 'no repair' });
  });

  it('P3-1: a failed recovery, under its rule or REP-2', () => {
    expect(recoveredVerdict(false, { failure: { message: 'EIO' } }, null, true, false)).toEqual({ status: 'violated', clause: 'P3-1', rules: ['REP-2'], witness: { failure: 'EIO' } });
  });

  it('P3-2: a repair must leave no leak; P3-3: an open of a clean-bit image may', () => {
    const leak = factsOf([finding('RC-6', 'leak', 'c', 'd')]);
    expect(recoveredVerdict(false, {}, leak, true, false)).toMatchObject({ status: 'violated', clause: 'P3-2', rules: ['RC-6'] });
    expect(recoveredVerdict(false, {}, leak, false, false)).toBe(HOLDS);
  });

  it('P2-2: a repair of a dirty image that clears the bit but leaves findings', () => {
    const after = factsOf([finding('RC-6', 'corruption', 'c', 'd')], false);
    expect(recoveredVerdict(true, {}, after, true, true)).toMatchObject({ status: 'violated', clause: 'P2-2', rules: ['LAZY-4', 'RC-6'] });
  });

  it('P3-4: a clean result that is still dirty', () => {
    expect(recoveredVerdict(true, {}, factsOf([], true), false, true)).toMatchObject({ status: 'violated', clause: 'P3-4', rules: ['FEAT-1', 'LAZY-4'] });
  });
});

describe('durabilityPropertyVerdict (P4)', () => {
  it('P4-1 carries a GD violation; P4-2 an unreadable guest view under its rule; holds stays holds', () => {
    const gd = sectorDurability({ view: 'active', sectorIndex: 0, guestOffsetBytes: 0, candidates: ['a'], found: null, actual: 'x' });
    expect(durabilityPropertyVerdict(gd)).toMatchObject({ status: 'violated', clause: 'P4-1', rules: ['GD-1'] });
    expect(durabilityPropertyVerdict(unreadableGuestView('L1-2', 'bad L1'))).toEqual({ status: 'violated', clause: 'P4-2', rules: ['L1-2'], witness: { reason: 'bad L1' } });
    expect(durabilityPropertyVerdict(HOLDS)).toBe(HOLDS);
  });
});

describe('repairUnderCrashVerdict (P5)', () => {
  it('holds when the re-run recovery broke nothing', () => {
    expect(repairUnderCrashVerdict(null)).toBe(HOLDS);
  });

  it('names a P2 or P3 break of the re-run P5-1 and a P4 break P5-2, keeping its rules', () => {
    for (const [property, clause] of [['P2', 'P5-1'], ['P3', 'P5-1'], ['P4', 'P5-2']] as const) {
      const v = repairUnderCrashVerdict({ property, rules: ['RC-6', 'GD-1'] });
      expect(v).toEqual({ status: 'violated', clause, rules: ['GD-1', 'RC-6'], witness: { property } });
      if (v.status === 'violated') expect(crashClauses[v.clause as keyof typeof crashClauses]).toBe('P5');
    }
  });
});

describe('P6 error paths', () => {
  it('P6-1: an operation during which a request failed must report it', () => {
    expect(failedOperationVerdict(false, false)).toBe(HOLDS);
    expect(failedOperationVerdict(true, true)).toBe(HOLDS);
    expect(failedOperationVerdict(true, false)).toMatchObject({ status: 'violated', clause: 'P6-1', rules: ['P6-1'] });
  });

  it('P6-2: later operations all succeed or all fail, the witness the first that differs', () => {
    expect(laterRequestsVerdict([])).toBe(HOLDS);
    expect(laterRequestsVerdict([true, true])).toBe(HOLDS);
    expect(laterRequestsVerdict([false, false, false])).toBe(HOLDS);
    expect(laterRequestsVerdict([true, false, true])).toEqual({ status: 'violated', clause: 'P6-2', rules: ['P6-2'], witness: { index: 1 } });
    expect(laterRequestsVerdict([false, true])).toMatchObject({ witness: { index: 1 } });
  });

  it('P6-3 allows leaks but no corruption or check error after a fault', () => {
    const leak = finding('RC-6', 'leak', 'cluster 5', 'leaked');
    expect(intolerableAfterFault(factsOf([leak]))).toEqual([]);
    expect(intolerableAfterFault(factsOf([leak, al4({ table: 'l2' })]))).toEqual(['AL-4']);
  });

  it('P6-4: a newly referenced cluster nothing wrote breaks it, with that cluster as witness', () => {
    expect(newReferencesVerdict([3, 4], () => true)).toBe(HOLDS);
    const v = newReferencesVerdict([3, 4, 9], (c) => c !== 4);
    expect(v).toEqual({ status: 'violated', clause: 'P6-4', rules: ['P6-4'], witness: { clusterIndex: 4 } });
    for (const c of ['P6-1', 'P6-2', 'P6-3', 'P6-4'] as const) expect(crashClauses[c]).toBe('P6');
  });
});
