/**
 * The crash points of a recorded segment that correspond to a crash of another engine: those
 * where the same guest operations are durable and the same are in flight (the crash window of
 * spec/semantics/durability.ts, so the same durability expectation, GD-*), whatever storage
 * operations each engine issued for them. Flush epochs inside the operations may differ in number.
 */
import { crashWindowAt, type CrashWindow, type OpSpan } from '../../../spec/semantics/durability.js';

/** True when two crash windows keep the same operations durable and the same in flight. */
export function sameWindow(a: CrashWindow, b: CrashWindow): boolean {
  return a.durableIndex === b.durableIndex && a.inFlightEnd === b.inFlightEnd;
}

/**
 * The crash points among `planPoints` (ascending, in 0..storageOpCount) whose crash window over
 * `spans` is `window`, and the last point with that window when it is not one of them: the window
 * holds for one run of points (it only grows with the point), and every state of a point is also
 * a state of the next one unless a flush or FUA write lies between (storage-contract.md, maximal
 * crash points), so these points give every state a crash in that window can leave. Empty when no point has the window:
 * the segment's storage operations skip it (an operation in flight there wrote nothing here).
 */
export function windowCrashPoints(planPoints: readonly number[], spans: readonly OpSpan[], storageOpCount: number, window: CrashWindow): number[] {
  let first = -1;
  let last = -1;
  for (let k = 0; k <= storageOpCount; k++) {
    if (!sameWindow(crashWindowAt(spans, k), window)) {
      if (first >= 0) break;
      continue;
    }
    if (first < 0) first = k;
    last = k;
  }
  if (first < 0) return [];
  const points = planPoints.filter((k) => k >= first && k <= last);
  if (!points.includes(last)) points.push(last);
  return points;
}
