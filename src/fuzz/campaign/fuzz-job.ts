/**
 * runJob: one job of a campaign (a core's share): runs its batches until they end or `shouldStop`
 * says so, and turns each failing batch into a finalized case (shrunk, with its surviving writes),
 * reported once per property and rule set.
 */
import type { FuzzCase } from '../case/fuzz-case.js';
import type { FixedImageOptions } from '../commands/image-options-arb.js';
import type { RunStats } from '../runner/run-stats.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { violationSignature } from '../violation.js';
import { jobBatches, type CampaignPlan } from './campaign-plan.js';
import { finalizeFailure } from './finalize-failure.js';
import { runBatch } from './property-batch.js';

export interface JobSettings {
  plan: CampaignPlan;
  jobIndex: number;
  target: FuzzTarget;
  mutants: readonly string[];
  fixed: FixedImageOptions;
  statesPerCrash: number;
  maxCommands: number;
  /** See CampaignSettings.shrink. */
  shrink?: boolean;
  /** See CampaignSettings.known. */
  known?: readonly string[];
  stats: RunStats;
  shouldStop: () => boolean;
  /** Called with each new finding (a case without its replay line and file name). */
  onFinding: (c: FuzzCase, batchIndex: number) => void | Promise<void>;
}

export async function runJob(s: JobSettings): Promise<void> {
  const seen = new Set<string>(s.known);
  for (const batch of jobBatches(s.plan, s.jobIndex)) {
    if (s.shouldStop()) return;
    const raw = await runBatch({ target: s.target, fixed: s.fixed, statesPerCrash: s.statesPerCrash, maxCommands: s.maxCommands, shrink: s.shrink, stats: s.stats, shouldStop: s.shouldStop, known: seen }, batch.seed, batch.numRuns);
    if (!raw) continue;
    const c = await finalizeFailure(raw, { target: s.target, mutants: s.mutants, statesPerCrash: s.statesPerCrash, campaignSeed: s.plan.masterSeed });
    const signature = violationSignature(c.violation);
    const known = seen.has(signature);
    seen.add(signature);
    seen.add(violationSignature(raw.violation));
    if (known) continue;
    await s.onFinding(c, batch.index);
  }
}
