/** A run's coverage counts: one run per kind applied, its ops, its options; a crash's points and states by the op in flight. */
import { describe, expect, it } from 'vitest';
import { crashCoverage, runCoverage } from '../../../../src/fuzz/coverage/run-coverage.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';

const OPTIONS: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };

describe('runCoverage', () => {
  it('counts one run for each kind applied, however many times, and each op', () => {
    const c = runCoverage([{ kind: 'write', offsetBytes: 0, lengthBytes: 512, writeId: 1 }, { kind: 'flush' }, { kind: 'write', offsetBytes: 512, lengthBytes: 512, writeId: 2 }, { kind: 'crash' }], OPTIONS);
    expect(c.opKinds).toEqual({ write: { runs: 1, ops: 2 }, flush: { runs: 1, ops: 1 }, crash: { runs: 1, ops: 1 } });
    expect(c.imageOptions.clusterSizeBytes).toEqual({ '4096': 1 });
    expect(c.imageOptions.backing).toEqual({ none: 1 });
  });
});

describe('crashCoverage', () => {
  it('counts every crash point, and the states judged there, under the op in flight', () => {
    const spans = [
      { kind: 'write' as const, startOp: 0, endOp: 4 },
      { kind: 'flush' as const, startOp: 4, endOp: 5 },
    ];
    const c = crashCoverage([2, 4, 5], new Map([[2, 7], [5, 3]]), spans);
    expect(c.opKinds).toEqual({ write: { crashPoints: 1, crashStates: 7 }, flush: { crashPoints: 1, crashStates: 0 }, crash: { crashPoints: 1, crashStates: 3 } });
    expect(c.imageOptions).toEqual({});
  });
});
