/**
 * CampaignKnowledge: the campaign's dedupe. Two jobs' findings with the same signature: the first
 * is new (saved), the second known (dropped); `--known` signatures are known from the start; a
 * finding whose run broke other rules than its shrunk case makes both known.
 */
import { describe, expect, it } from 'vitest';
import type { FuzzCase } from '../../../../src/fuzz/case/fuzz-case.js';
import { CampaignKnowledge } from '../../../../src/fuzz/campaign/campaign-knowledge.js';
import { findingOf } from '../../../../src/fuzz/campaign/fuzz-finding.js';
import type { Violation } from '../../../../src/fuzz/violation.js';

const violation = (property: Violation['property'], rules: string[]): Violation => ({ property, rules, summary: 's', stage: 'crash state c1.g9.z0', expected: 'e', actual: 'a' });
const caseOf = (v: Violation) => ({ violation: v }) as FuzzCase;

describe('CampaignKnowledge', () => {
  it('saves two jobs\' equal findings once', () => {
    const k = new CampaignKnowledge();
    const p1 = violation('P1', ['AL-4']);
    const fromJob0 = findingOf(caseOf(p1), p1, 0);
    const fromJob1 = findingOf(caseOf(p1), p1, 1);
    expect(k.decide(fromJob0)).toEqual({ isNew: true, learnt: ['P1:AL-4'] });
    expect(k.decide(fromJob1)).toEqual({ isNew: false, learnt: [] });
    expect(k.decide(findingOf(caseOf(violation('P4', ['GD-1'])), violation('P4', ['GD-1']), 2)).isNew).toBe(true);
  });

  it('knows --known signatures from the start', () => {
    const k = new CampaignKnowledge(['P1:L1-3']);
    expect(k.has('P1:L1-3')).toBe(true);
    expect(k.decide(findingOf(caseOf(violation('P1', ['L1-3'])), violation('P1', ['L1-3']), 0)).isNew).toBe(false);
  });

  it('learns both the run\'s and the shrunk case\'s signatures', () => {
    const k = new CampaignKnowledge();
    const d = k.decide(findingOf(caseOf(violation('P1', ['RC-6'])), violation('P1', ['L2-2', 'RC-6']), 0));
    expect(d).toEqual({ isNew: true, learnt: ['P1:RC-6', 'P1:L2-2,RC-6'] });
    expect(k.has('P1:L2-2,RC-6')).toBe(true);
  });
});
