/**
 * CampaignPlan: how one master seed becomes batches of runs, and which batches a shard and a job
 * take. Batch b has its own fast-check seed derived from (master seed, b); shard I of N takes the
 * batches with b mod N = I, and job j of J takes every J-th of those. So a campaign splits over
 * machines and cores deterministically: the same seed, shard and job run the same runs, and only
 * a time budget decides how far each gets.
 */
import { splitmix32 } from '../../storage/prng.js';

/** Runs per fast-check batch. */
export const RUNS_PER_BATCH = 10;

export interface CampaignPlan {
  masterSeed: number;
  /** Total runs of the whole campaign (all shards), or null for a time budget. */
  totalRuns: number | null;
  shardIndex: number;
  shardCount: number;
  jobCount: number;
}

interface BatchRef {
  index: number;
  /** fast-check's seed for it. */
  seed: number;
  numRuns: number;
}

/** The fast-check seed of batch `index`. */
export function batchSeed(masterSeed: number, index: number): number {
  return splitmix32((masterSeed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0) | 0;
}

/** The batches job `jobIndex` runs, in order (endless with a time budget). */
export function* jobBatches(plan: CampaignPlan, jobIndex: number): Generator<BatchRef> {
  const batchCount = plan.totalRuns === null ? Infinity : Math.ceil(plan.totalRuns / RUNS_PER_BATCH);
  let nthOfShard = 0;
  for (let b = plan.shardIndex; b < batchCount; b += plan.shardCount) {
    if (nthOfShard++ % plan.jobCount !== jobIndex) continue;
    const numRuns = plan.totalRuns === null ? RUNS_PER_BATCH : Math.min(RUNS_PER_BATCH, plan.totalRuns - b * RUNS_PER_BATCH);
    yield { index: b, seed: batchSeed(plan.masterSeed, b), numRuns };
  }
}
