/**
 * BatchRecord: what a campaign reports of each batch it ran: which batch of the plan (index and
 * fast-check seed), how many runs it generated, and how it ended. Shards list theirs in their
 * summaries, so a merge can check that they covered the plan between them, each batch once.
 */
export interface BatchRecord {
  /** The batch's index in the campaign plan (see jobBatches). */
  index: number;
  /** fast-check's seed for it (batchSeed of the master seed and the index). */
  seed: number;
  /** Runs generated, not counting runs made while shrinking. */
  runs: number;
  /** "all": every planned run ran; "finding": a run failed (fast-check stops there and shrinks); "stopped": a stop or the time budget cut it short. */
  ended: 'all' | 'finding' | 'stopped';
}
