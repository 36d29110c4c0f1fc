/** FaultMode: the kinds `--faults` names, which of them this build has, and what `all` draws among. */
import { describe, expect, it } from 'vitest';
import { AVAILABLE_FAULT_KINDS, DEFAULT_FAULT_MODE, FAULT_KINDS, faultKindsOf, isAvailableFaultKind, isFaultMode } from '../../../../src/fuzz/faults/fault-mode.js';

describe('fault modes', () => {
  it('names power, eio, damage and all; nothing else', () => {
    for (const m of ['power', 'eio', 'damage', 'all']) expect(isFaultMode(m), m).toBe(true);
    for (const m of ['', 'Power', 'crash', 'damage,power']) expect(isFaultMode(m), m).toBe(false);
  });

  it('defaults to power, which this build always has, as it has damage', () => {
    expect(DEFAULT_FAULT_MODE).toBe('power');
    expect(isAvailableFaultKind('power')).toBe(true);
    expect(isAvailableFaultKind('damage')).toBe(true);
    for (const k of AVAILABLE_FAULT_KINDS) expect(FAULT_KINDS).toContain(k);
  });

  it('all draws among exactly the available kinds; one kind is itself', () => {
    expect(faultKindsOf('all')).toEqual([...AVAILABLE_FAULT_KINDS]);
    expect(faultKindsOf('damage')).toEqual(['damage']);
    expect(faultKindsOf('power')).toEqual(['power']);
  });
});
