import { describe, expect, it } from 'vitest';
import { catalogue, ruleOf } from '../../../spec/invariants/catalogue.js';

/** Every clause id of QCOW2-FACTS §1, copied here so that a rule dropped from the catalogue fails. */
const section1Ids = [
  'GEN-1', 'GEN-2', 'HDR-1', 'HDR-2', 'HDR-3', 'HDR-4', 'HDR-5', 'HDR-6', 'HDR-7', 'HDR-8',
  'HDR-9', 'HDR-10', 'HDR-11', 'HDR-12', 'HDR-13', 'FEAT-1', 'FEAT-2', 'FEAT-3', 'FEAT-4', 'FEAT-5',
  'FEAT-6', 'FEAT-7', 'FEAT-8', 'FEAT-9', 'FEAT-10', 'EXT-1', 'EXT-2', 'EXT-3', 'EXT-4', 'EXT-5',
  'EXT-6', 'EXT-7', 'RC-1', 'RC-2', 'RC-3', 'RC-4', 'RC-5', 'RC-6', 'RC-7', 'RC-8',
  'RC-9', 'L1-1', 'L1-2', 'L1-3', 'L2-1', 'L2-2', 'L2-3', 'L2-4', 'L2-5', 'L2-6',
  'L2-7', 'XL2-1', 'XL2-2', 'XL2-3', 'XL2-4', 'XL2-5', 'XL2-6', 'CMP-1', 'CMP-2', 'CMP-3',
  'CMP-4', 'CMP-5', 'SN-1', 'SN-2', 'SN-3', 'SN-4', 'SN-5', 'SN-6', 'SN-7', 'SN-8',
  'BM-1', 'BM-2', 'BM-3', 'BM-4', 'BM-5', 'AL-1', 'AL-2', 'AL-3', 'AL-4',
];

describe('rule catalogue', () => {
  it('holds every clause id of QCOW2-FACTS §1 (79 ids)', () => {
    expect(section1Ids).toHaveLength(79);
    const missing = section1Ids.filter((id) => ruleOf(id) === undefined);
    expect(missing).toEqual([]);
  });

  it('gives every rule at least one predicate, a statement and a family', () => {
    for (const rule of catalogue) {
      expect(rule.predicates.length, rule.id).toBeGreaterThan(0);
      for (const p of rule.predicates) expect(typeof p, rule.id).toBe('function');
      expect(rule.statement.length, rule.id).toBeGreaterThan(10);
      expect(rule.family, rule.id).toBeTruthy();
    }
  });

  it('classes spec rules as spec and implementation limits as qimpl', () => {
    for (const rule of catalogue) {
      const expected = section1Ids.includes(rule.id) ? 'spec' : 'qimpl';
      expect(rule.class, rule.id).toBe(expected);
    }
    expect(catalogue.filter((r) => r.class === 'qimpl').length).toBeGreaterThan(10);
  });

  it('lists each id once', () => {
    const ids = catalogue.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
