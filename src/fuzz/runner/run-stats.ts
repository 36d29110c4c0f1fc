import { newCoverage, sumCoverage, type Coverage } from '../coverage/coverage.js';

/**
 * Counters of fuzz runs. A run returns its own; a batch, a job and a campaign each return the sum
 * of theirs (sumStats), so no counter is shared between layers.
 */
export interface RunStats {
  /** Runs fast-check generated (shrinking steps not counted). */
  runs: number;
  /** Runs fast-check made while shrinking a failure. */
  shrinkRuns: number;
  ops: number;
  crashPoints: number;
  /** Crash states judged with every property. */
  crashStates: number;
  /** Of those, states judged in full (the first of each group of states sharing their metadata). */
  stateGroups: number;
  /** Of those, states checked incrementally from their crash point's flushed image (`--judge incremental`). */
  incrementalChecks: number;
  /** Recoveries that could not run (a dirty image without a repair): no verdict. */
  unknownRecoveries: number;
  /** Saved cases: only the campaign counts them (it decides which findings are new). */
  findings: number;
  /** Runs that broke a property the campaign already knows (passed over: neither shrunk nor saved). */
  knownRepeats: number;
  /** Runs (not shrinking) that ended with each fault kind (`--faults`). */
  powerRuns: number;
  damageRuns: number;
  eioRuns: number;
  /** Damaged images whose repairs were judged (P7). */
  damagedImages: number;
  /** Runs whose I/O-error fault (`--faults eio`) made a request fail. */
  faultsFired: number;
  /** What the runs (not shrinking) exercised: op kinds, crash points by the op in flight, image options. */
  coverage: Coverage;
}

/** The counters that are plain numbers. */
type Counter = Exclude<keyof RunStats, 'coverage'>;

/** All counters at zero. */
export function newRunStats(): RunStats {
  return { runs: 0, shrinkRuns: 0, ops: 0, crashPoints: 0, crashStates: 0, stateGroups: 0, incrementalChecks: 0, unknownRecoveries: 0, findings: 0, knownRepeats: 0, powerRuns: 0, damageRuns: 0, eioRuns: 0, faultsFired: 0, damagedImages: 0, coverage: newCoverage() };
}

/** The counter-by-counter sum of `a` and `b` (a new object). */
export function sumStats(a: Readonly<RunStats>, b: Readonly<Partial<RunStats>>): RunStats {
  const out = { ...a };
  for (const k of Object.keys(b) as Array<keyof RunStats>) {
    if (k === 'coverage') out.coverage = sumCoverage(a.coverage, b.coverage ?? newCoverage());
    else out[k as Counter] += b[k as Counter] ?? 0;
  }
  return out;
}
