/**
 * runJob: one job of a campaign (a core's share): runs its batches until they end or `shouldStop`
 * says so, turns each failing batch into a finding (finalized: shrunk, with its surviving writes)
 * and reports every one to the campaign, which decides what is new. Returns the sum of its
 * batches' counters.
 */
import type { RunStats } from '../runner/run-stats.js';
import { newRunStats, sumStats } from '../runner/run-stats.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { jobBatches } from './campaign-plan.js';
import type { BatchRecord } from './batch-record.js';
import type { CampaignSettings } from './campaign-settings.js';
import { finalizeFailure } from './finalize-failure.js';
import { findingOf, type FuzzFinding } from './fuzz-finding.js';
import { runBatch } from './property-batch.js';

/** What a job gets besides the campaign's settings: its index, target and the campaign's hooks. */
interface JobContext {
  jobIndex: number;
  target: FuzzTarget;
  shouldStop: () => boolean;
  /** The campaign's knowledge as it has reached this job (see CampaignKnowledge). */
  isKnown: (signature: string) => boolean;
  /** Called with each finding. */
  onFinding: (f: FuzzFinding) => void | Promise<void>;
  /** Called with the job's counters so far, after each run. */
  onProgress?: (stats: RunStats) => void;
  /** Called as each batch ends. */
  onBatch?: (batch: BatchRecord) => void;
}

export async function runJob(settings: CampaignSettings, job: JobContext): Promise<RunStats> {
  let total = newRunStats();
  for (const batch of jobBatches(settings.plan, job.jobIndex)) {
    if (job.shouldStop()) break;
    let inBatch = newRunStats();
    const onRun = (run: RunStats): void => {
      inBatch = sumStats(inBatch, run);
      job.onProgress?.(sumStats(total, inBatch));
    };
    const r = await runBatch({ target: job.target, fixed: settings.fixed, statesPerCrash: settings.statesPerCrash, maxCommands: settings.maxCommands, shrink: settings.shrink, faults: settings.faults, shouldStop: job.shouldStop, isKnown: job.isKnown, onRun }, batch.seed, batch.numRuns);
    total = sumStats(total, r.stats);
    job.onBatch?.({ index: batch.index, seed: batch.seed, runs: r.stats.runs, ended: r.failure ? 'finding' : r.stats.runs < batch.numRuns ? 'stopped' : 'all' });
    if (!r.failure) continue;
    const c = await finalizeFailure(r.failure, { target: job.target, mutants: settings.mutants, statesPerCrash: settings.statesPerCrash, campaignSeed: settings.plan.masterSeed });
    await job.onFinding(findingOf(c, r.failure.outcome.violation, batch.index));
  }
  return total;
}
