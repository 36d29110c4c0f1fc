/** sumStats adds every counter, coverage key by key, and leaves both sides as they were. */
import { describe, expect, it } from 'vitest';
import { newRunStats, sumStats } from '../../../../src/fuzz/runner/run-stats.js';

describe('sumStats', () => {
  it('adds the number counters and the coverage counts', () => {
    const a = { ...newRunStats(), runs: 2, crashStates: 10, coverage: { opKinds: { flush: { runs: 2, ops: 3 } }, imageOptions: { compat: { '1.1': 2 } } } };
    const sum = sumStats(a, { runs: 1, crashStates: 5, coverage: { opKinds: { flush: { runs: 1, ops: 1 }, crash: { crashPoints: 2 } }, imageOptions: { compat: { '0.10': 1 } } } });
    expect(sum).toMatchObject({ runs: 3, crashStates: 15, shrinkRuns: 0 });
    expect(sum.coverage).toEqual({ opKinds: { flush: { runs: 3, ops: 4 }, crash: { crashPoints: 2 } }, imageOptions: { compat: { '1.1': 2, '0.10': 1 } } });
    expect(a.coverage.opKinds.flush).toEqual({ runs: 2, ops: 3 });
  });

  it('leaves the coverage as it is for a part without one', () => {
    const a = { ...newRunStats(), coverage: { opKinds: { write: { ops: 1 } }, imageOptions: {} } };
    expect(sumStats(a, { ops: 1 }).coverage).toEqual(a.coverage);
  });
});
