/**
 * The coverage counts of a run's parts: its ops and image options (runCoverage), and one crash's
 * crash points and states by the op in flight there (crashCoverage). FuzzRun sums them.
 */
import type { FuzzImageOptions } from '../image-options.js';
import type { FuzzOp } from '../model/fuzz-op.js';
import type { Coverage } from './coverage.js';
import { imageOptionCounts } from './image-option-coverage.js';
import { opKindAt, type OpStorageSpan } from './op-kind-at.js';

/** A run's ops by kind (1 run for each kind applied) and its image options. */
export function runCoverage(history: readonly FuzzOp[], options: FuzzImageOptions): Coverage {
  const opKinds: Coverage['opKinds'] = {};
  for (const op of history) {
    const counts = (opKinds[op.kind] ??= { runs: 1, ops: 0 });
    counts.ops! += 1;
  }
  return { opKinds, imageOptions: imageOptionCounts(options) };
}

/**
 * One crash's crash points (`crashPoints`, all the plan visits) and the states judged at each
 * (`statesByCrashPoint`), by the kind of the op in flight there (`spans`: the segment's ops).
 */
export function crashCoverage(crashPoints: readonly number[], statesByCrashPoint: ReadonlyMap<number, number>, spans: readonly OpStorageSpan[]): Coverage {
  const opKinds: Coverage['opKinds'] = {};
  for (const point of crashPoints) {
    const counts = (opKinds[opKindAt(spans, point)] ??= { crashPoints: 0, crashStates: 0 });
    counts.crashPoints! += 1;
    counts.crashStates! += statesByCrashPoint.get(point) ?? 0;
  }
  return { opKinds, imageOptions: {} };
}
