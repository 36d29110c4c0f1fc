/** Counters of a fuzz campaign, shared by runs, progress lines and summaries. */
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
  /** Recoveries that could not run (a dirty image without a repair): no verdict. */
  unknownRecoveries: number;
  /** Saved cases: the campaign sets it (jobs may find the same property and rules; it is saved once). */
  findings: number;
  /** Runs that broke a property already found in the campaign (passed over, see BatchConfig.known). */
  knownRepeats: number;
}

export function newRunStats(): RunStats {
  return { runs: 0, shrinkRuns: 0, ops: 0, crashPoints: 0, crashStates: 0, stateGroups: 0, unknownRecoveries: 0, findings: 0, knownRepeats: 0 };
}

/** Adds `b` into `a`. */
export function addStats(a: RunStats, b: RunStats): void {
  for (const k of Object.keys(a) as Array<keyof RunStats>) a[k] += b[k];
}
