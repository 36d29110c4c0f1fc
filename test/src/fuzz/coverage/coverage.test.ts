/** sumCoverage adds counts key by key, keeps the keys of both sides and changes neither. */
import { describe, expect, it } from 'vitest';
import { newCoverage, sumCoverage, type Coverage } from '../../../../src/fuzz/coverage/coverage.js';

describe('sumCoverage', () => {
  it('adds the counts of keys both have and keeps those only one has', () => {
    const a: Coverage = { opKinds: { write: { runs: 1, ops: 3 } }, imageOptions: { compat: { '1.1': 1 } } };
    const b: Coverage = { opKinds: { write: { ops: 2, crashPoints: 4 }, flush: { runs: 1, ops: 1 } }, imageOptions: { compat: { '0.10': 1 }, cacheMode: { writeback: 1 } } };
    expect(sumCoverage(a, b)).toEqual({
      opKinds: { write: { runs: 1, ops: 5, crashPoints: 4 }, flush: { runs: 1, ops: 1 } },
      imageOptions: { compat: { '1.1': 1, '0.10': 1 }, cacheMode: { writeback: 1 } },
    });
  });

  it('returns a new value: neither side changes', () => {
    const a: Coverage = { opKinds: { flush: { ops: 1 } }, imageOptions: { compat: { '1.1': 1 } } };
    const b: Coverage = { opKinds: { flush: { ops: 2 } }, imageOptions: { compat: { '1.1': 2 } } };
    sumCoverage(a, b);
    expect(a).toEqual({ opKinds: { flush: { ops: 1 } }, imageOptions: { compat: { '1.1': 1 } } });
    expect(b).toEqual({ opKinds: { flush: { ops: 2 } }, imageOptions: { compat: { '1.1': 2 } } });
  });

  it('has nothing counted in a new coverage, the identity of the sum', () => {
    const a: Coverage = { opKinds: { crash: { runs: 1, ops: 1, crashPoints: 2, crashStates: 9 } }, imageOptions: { filled: { false: 1 } } };
    expect(sumCoverage(newCoverage(), a)).toEqual(a);
    expect(sumCoverage(a, newCoverage())).toEqual(a);
  });
});
