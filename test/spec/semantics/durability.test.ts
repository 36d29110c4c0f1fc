/** GD-1..GD-4 and the crash window (spec/semantics/durability.ts). */
import { describe, expect, it } from 'vitest';
import { crashWindowAt, sectorDurability, snapshotDurability, unreadableGuestView, virtualSizeDurability } from '../../../spec/semantics/durability.js';
import { HOLDS } from '../../../spec/semantics/verdict.js';

describe('crash window (GD-1, GD-2)', () => {
  it('keeps ops up to the last completed barrier and lists later started ops as in flight', () => {
    // Arrange: write [0,2), flush [2,3), write [3,5), flush [5,6), write [6,8)
    const spans = [
      { startOp: 0, endOp: 2, barrier: false },
      { startOp: 2, endOp: 3, barrier: true },
      { startOp: 3, endOp: 5, barrier: false },
      { startOp: 5, endOp: 6, barrier: true },
      { startOp: 6, endOp: 8, barrier: false },
    ];
    // Act / Assert
    expect(crashWindowAt(spans, 0)).toEqual({ durableIndex: -1, inFlightEnd: 1 });
    expect(crashWindowAt(spans, 4)).toEqual({ durableIndex: 1, inFlightEnd: 3 });
    expect(crashWindowAt(spans, 5)).toEqual({ durableIndex: 1, inFlightEnd: 4 });
    expect(crashWindowAt(spans, 7)).toEqual({ durableIndex: 3, inFlightEnd: 5 });
  });
});

describe('sectorDurability', () => {
  const reading = { view: 'active', sectorIndex: 3, guestOffsetBytes: 1536, actual: 'write 9' };

  it('holds when the bytes equal a candidate', () => {
    expect(sectorDurability({ ...reading, candidates: ['a', 'b'], found: 'b' })).toBe(HOLDS);
  });

  it('GD-1: a sector with only its durable value lost it', () => {
    const v = sectorDurability({ ...reading, candidates: ['a'], found: null });
    expect(v).toMatchObject({ status: 'violated', clause: 'GD-1', rules: ['GD-1'], witness: { sectorIndex: 3, candidates: ['a'], actual: 'write 9' } });
  });

  it('GD-2: a sector written in flight holds none of the values written', () => {
    const v = sectorDurability({ ...reading, candidates: ['a', 'b'], found: null });
    expect(v).toMatchObject({ status: 'violated', clause: 'GD-2', rules: ['GD-2'] });
  });

  it('does not hold when the value found is not among the candidates', () => {
    expect(sectorDurability({ ...reading, candidates: ['a'], found: 'z' }).status).toBe('violated');
  });
});

describe('virtualSizeDurability (GD-3) and snapshotDurability (GD-4)', () => {
  it('GD-3 holds on an allowed size and is violated with the size found otherwise', () => {
    expect(virtualSizeDurability(1 << 20, [1 << 20, 2 << 20])).toBe(HOLDS);
    expect(virtualSizeDurability(3 << 20, [1 << 20])).toEqual({ status: 'violated', clause: 'GD-3', rules: ['GD-3'], witness: { sizeBytes: 3 << 20, allowedSizesBytes: [1 << 20] } });
  });

  it('GD-4: a required snapshot must exist; an optional one may be missing', () => {
    expect(snapshotDurability('s1', true, ['s1'])).toBe(HOLDS);
    expect(snapshotDurability('s2', false, ['s1'])).toBe(HOLDS);
    expect(snapshotDurability('s2', true, ['s1'])).toEqual({ status: 'violated', clause: 'GD-4', rules: ['GD-4'], witness: { name: 's2', present: ['s1'] } });
  });

  it('is unknown on a guest view the spec cannot read, naming the rule in the way', () => {
    expect(unreadableGuestView('L2-3', 'bad entry')).toEqual({ status: 'unknown', reason: 'bad entry', rule: 'L2-3' });
  });
});
