/** P7 on repair outcomes, checks and sector facts (spec/semantics/damage-repair-properties.ts). */
import { describe, expect, it } from 'vitest';
import { finding, type Finding } from '../../../spec/invariants/finding.js';
import type { CheckFacts } from '../../../spec/semantics/crash-properties.js';
import { repairedSectorVerdict, repairOutcomeVerdict, repairUnderCrashOfDamageVerdict } from '../../../spec/semantics/damage-repair-properties.js';
import { HOLDS } from '../../../spec/semantics/verdict.js';

function factsOf(findings: Finding[], dirty = false): CheckFacts {
  const rulesOf = (kind: Finding['kind']): string[] => [...new Set(findings.filter((f) => f.kind === kind).map((f) => f.rule))].sort();
  const count = (kind: Finding['kind']): number => findings.filter((f) => f.kind === kind).length;
  return { dirty, report: { corruptions: count('corruption'), leaks: count('leak'), 'check-errors': count('check-error'), findings, 'findings-omitted': [] }, corruptionRules: rulesOf('corruption'), leakRules: rulesOf('leak'), errorRules: rulesOf('check-error'), harmfulCorruptionRules: rulesOf('corruption'), findings };
}

const rc6 = finding('RC-6', 'corruption', 'cluster 3', 'refcount too low');
const leak = finding('RC-6', 'leak', 'cluster 9', 'leaked');

describe('repairOutcomeVerdict (P7-1, P7-2)', () => {
  it('holds for exit 0 over a clean image, and for a refusal that says why', () => {
    expect(repairOutcomeVerdict({ exitCode: 0, message: '' }, factsOf([]))).toBe(HOLDS);
    expect(repairOutcomeVerdict({ exitCode: 1, message: 'Could not open: header damaged' }, null)).toBe(HOLDS);
  });

  it('P7-1: success over a remaining corruption, a leak or a dirty bit', () => {
    expect(repairOutcomeVerdict({ exitCode: 0, message: '' }, factsOf([rc6]))).toMatchObject({ clause: 'P7-1', rules: ['P7-1', 'RC-6'], witness: { finding: rc6 } });
    // Only the witness's rule: one defect, one signature, whatever else the damage left.
    const al4 = finding('AL-4', 'corruption', 'L2', 'past the end');
    expect(repairOutcomeVerdict({ exitCode: 0, message: '' }, factsOf([rc6, al4]))).toMatchObject({ rules: ['P7-1', 'RC-6'] });
    expect(repairOutcomeVerdict({ exitCode: 0, message: '' }, factsOf([leak]))).toMatchObject({ clause: 'P7-1' });
    expect(repairOutcomeVerdict({ exitCode: 0, message: '' }, factsOf([], true))).toMatchObject({ clause: 'P7-1', rules: ['FEAT-1', 'P7-1'] });
  });

  it('P7-2: exit 2 or 3 after -r all, a silent refusal, any other code, a crash', () => {
    expect(repairOutcomeVerdict({ exitCode: 2, message: 'ERROR x' }, factsOf([rc6]))).toMatchObject({ clause: 'P7-2', rules: ['CHK-4', 'P7-2', 'RC-6'] });
    expect(repairOutcomeVerdict({ exitCode: 3, message: '' }, factsOf([leak]))).toMatchObject({ clause: 'P7-2' });
    expect(repairOutcomeVerdict({ exitCode: 1, message: '  ' }, null)).toMatchObject({ clause: 'P7-2', rules: ['CHK-4', 'P7-2'] });
    expect(repairOutcomeVerdict({ exitCode: 63, message: 'unsupported' }, null)).toMatchObject({ clause: 'P7-2' });
    expect(repairOutcomeVerdict({ exitCode: null, message: 'TypeError' }, null)).toMatchObject({ clause: 'P7-2', rules: ['P7-2', 'REP-2'] });
  });
});

describe('repairedSectorVerdict (P7-3, P7-4)', () => {
  const base = { mappingDamaged: false, readsAsBefore: true, foreign: false, sameAsDamaged: false };
  it('holds for a sector that reads as before, and for any own data where the mapping was damaged', () => {
    expect(repairedSectorVerdict(base)).toBe(HOLDS);
    expect(repairedSectorVerdict({ ...base, mappingDamaged: true, readsAsBefore: false })).toBe(HOLDS);
  });

  it('P7-3: a sector whose mapping the damage left alone reads something else', () => {
    expect(repairedSectorVerdict({ ...base, readsAsBefore: false })).toMatchObject({ clause: 'P7-3', rules: ['P7-3', 'REP-4'] });
  });

  it('P7-4: another guest offset\'s data, unless the damaged image read exactly that there', () => {
    expect(repairedSectorVerdict({ ...base, mappingDamaged: true, readsAsBefore: false, foreign: true })).toMatchObject({ clause: 'P7-4', rules: ['P7-4', 'REP-4'] });
    expect(repairedSectorVerdict({ ...base, mappingDamaged: true, readsAsBefore: false, foreign: true, sameAsDamaged: true })).toBe(HOLDS);
  });
});

describe('repairUnderCrashOfDamageVerdict (P7-5)', () => {
  it('holds when the re-run kept P7; names the broken clause and keeps the rules without P7 clause ids', () => {
    expect(repairUnderCrashOfDamageVerdict(null)).toBe(HOLDS);
    expect(repairUnderCrashOfDamageVerdict({ clause: 'P7-1', rules: ['P7-1', 'RC-6'] })).toEqual({ status: 'violated', clause: 'P7-5', rules: ['P7-5', 'RC-6'], witness: { clause: 'P7-1' } });
  });
});
