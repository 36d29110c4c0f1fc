/**
 * windowCrashPoints: the crash points of a log whose crash window (the operations durable and in
 * flight) is a given one: the plan's points inside the run of points with that window, plus the
 * last point of the run; none when the log skips the window.
 */
import { describe, expect, it } from 'vitest';
import type { OpSpan } from '../../../../spec/semantics/durability.js';
import { sameWindow, windowCrashPoints } from '../../../../src/fuzz/baseline/window-crash-points.js';

/** write [0,4) with a flush at 1, flush [4,5), write [5,8) with no flush, flush [8,9). */
const SPANS: OpSpan[] = [
  { startOp: 0, endOp: 4, barrier: false },
  { startOp: 4, endOp: 5, barrier: true },
  { startOp: 5, endOp: 8, barrier: false },
  { startOp: 8, endOp: 9, barrier: true },
];
/** The plan's points: before each storage flush (1, 4, 8) and the end (9). */
const PLAN_POINTS = [1, 4, 8, 9];

describe('windowCrashPoints', () => {
  it('gives the plan points with the window', () => {
    expect(windowCrashPoints(PLAN_POINTS, SPANS, 9, { durableIndex: -1, inFlightEnd: 1 })).toEqual([1, 3]);
    expect(windowCrashPoints(PLAN_POINTS, SPANS, 9, { durableIndex: -1, inFlightEnd: 2 })).toEqual([4]);
    expect(windowCrashPoints(PLAN_POINTS, SPANS, 9, { durableIndex: 3, inFlightEnd: 4 })).toEqual([9]);
  });

  it('adds the last point of the window when no plan point ends it (an operation without a flush)', () => {
    expect(windowCrashPoints(PLAN_POINTS, SPANS, 9, { durableIndex: 1, inFlightEnd: 3 })).toEqual([7]);
  });

  it('gives none when an operation in flight there wrote nothing in this log', () => {
    const emptyWrite: OpSpan[] = [SPANS[0], SPANS[1], { startOp: 5, endOp: 5, barrier: false }, { startOp: 5, endOp: 6, barrier: true }];
    expect(windowCrashPoints([1, 4, 5, 6], emptyWrite, 6, { durableIndex: 1, inFlightEnd: 3 })).toEqual([]);
  });

  it('tells windows apart by the durable barrier and the operations in flight', () => {
    expect(sameWindow({ durableIndex: 1, inFlightEnd: 3 }, { durableIndex: 1, inFlightEnd: 3 })).toBe(true);
    expect(sameWindow({ durableIndex: 1, inFlightEnd: 3 }, { durableIndex: 1, inFlightEnd: 4 })).toBe(false);
    expect(sameWindow({ durableIndex: 1, inFlightEnd: 3 }, { durableIndex: -1, inFlightEnd: 3 })).toBe(false);
  });
});
