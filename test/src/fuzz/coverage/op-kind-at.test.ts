/** opKindAt: the op whose storage operations surround a crash point, `crash` between ops. */
import { describe, expect, it } from 'vitest';
import { opKindAt, type OpStorageSpan } from '../../../../src/fuzz/coverage/op-kind-at.js';

const SPANS: OpStorageSpan[] = [
  { kind: 'write', startOp: 0, endOp: 3 },
  { kind: 'discard', startOp: 3, endOp: 3 },
  { kind: 'flush', startOp: 3, endOp: 5 },
  { kind: 'reopen', startOp: 6, endOp: 8 },
];

describe('opKindAt', () => {
  it('names the op in flight: started (its first operation may be the one not completed) and not ended', () => {
    expect([0, 1, 2].map((k) => opKindAt(SPANS, k))).toEqual(['write', 'write', 'write']);
    expect([3, 4].map((k) => opKindAt(SPANS, k))).toEqual(['flush', 'flush']);
    expect(opKindAt(SPANS, 7)).toBe('reopen');
  });

  it('names crash where no op was in flight: a gap between ops, the end of the segment', () => {
    expect(opKindAt(SPANS, 5)).toBe('crash');
    expect(opKindAt(SPANS, 8)).toBe('crash');
    expect(opKindAt([], 0)).toBe('crash');
  });
});
