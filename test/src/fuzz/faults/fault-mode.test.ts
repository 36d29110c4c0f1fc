/** FaultMode: the kinds `--faults` names and what `all` draws among. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULT_MODE, faultKindsOf, isFaultMode } from '../../../../src/fuzz/faults/fault-mode.js';

describe('fault modes', () => {
  it('names power, eio, damage and all; nothing else', () => {
    for (const m of ['power', 'eio', 'damage', 'all']) expect(isFaultMode(m), m).toBe(true);
    for (const m of ['', 'Power', 'crash', 'damage,power']) expect(isFaultMode(m), m).toBe(false);
  });

  it('defaults to power', () => {
    expect(DEFAULT_FAULT_MODE).toBe('power');
  });

  it('all draws among the three kinds; one kind is itself', () => {
    expect(faultKindsOf('all')).toEqual(['power', 'eio', 'damage']);
    expect(faultKindsOf('damage')).toEqual(['damage']);
    expect(faultKindsOf('eio')).toEqual(['eio']);
    expect(faultKindsOf('power')).toEqual(['power']);
  });
});
