/**
 * runBatch: one fast-check batch of the fuzz property (generator: image options, content seed and
 * a command list; client: the target; nemesis: crash commands and the final crash; checker: the
 * properties). fast-check shrinks the operations of a failing run; the batch returns the last
 * failing execution, which is fast-check's shrunk counterexample.
 */
import fc from 'fast-check';
import { commandListArb } from '../commands/command-arbitrary.js';
import { imageOptionsArb, type FixedImageOptions } from '../commands/image-options-arb.js';
import type { FuzzImageOptions } from '../image-options.js';
import type { FuzzOp } from '../model/fuzz-op.js';
import { FuzzRun } from '../runner/fuzz-run.js';
import type { RunStats } from '../runner/run-stats.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { isPropertyFailure, violationSignature, type Violation } from '../violation.js';

export interface BatchConfig {
  target: FuzzTarget;
  fixed: FixedImageOptions;
  statesPerCrash: number;
  maxCommands: number;
  /** False: the first failing run is returned as it is, not shrunk. */
  shrink?: boolean;
  stats: RunStats;
  /** Checked before each run and within it: true stops the batch (the run in progress and those left pass). */
  shouldStop: () => boolean;
  /**
   * Signatures (violationSignature) already found in this campaign: a run that breaks one of them
   * again counts in `stats.knownRepeats` and passes, so the campaign spends its time on new bugs.
   */
  known?: ReadonlySet<string>;
}

/** A failing execution: everything needed to replay it. */
export interface RawFailure {
  options: FuzzImageOptions;
  contentSeed: number;
  history: FuzzOp[];
  violation: Violation;
  /** The crash state that broke the property, when it was one. */
  stateId: string | null;
  fastCheckSeed: number;
  path: string;
}

/** Runs `numRuns` runs from fast-check seed `seed`; the shrunk failure, or null. */
export async function runBatch(cfg: BatchConfig, seed: number, numRuns: number): Promise<RawFailure | null> {
  let last: Omit<RawFailure, 'fastCheckSeed' | 'path'> | null = null;
  let failedOnce = false;
  const property = fc.asyncProperty(imageOptionsArb(cfg.target.opaqueRecovery ? { ...cfg.fixed, growth: false } : cfg.fixed), fc.nat(0xffffffff), commandListArb(cfg.maxCommands), async (options, contentSeed, cmds) => {
    if (cfg.shouldStop()) return;
    if (failedOnce) cfg.stats.shrinkRuns++;
    else cfg.stats.runs++;
    const run = await FuzzRun.start({ target: cfg.target, options, seed: contentSeed, statesPerCrash: cfg.statesPerCrash, stats: cfg.stats, shouldAbandon: cfg.shouldStop });
    try {
      await fc.asyncModelRun(() => ({ model: run, real: run }), cmds);
      await run.finish();
    } catch (err) {
      await run.dispose();
      if (isPropertyFailure(err) && cfg.known?.has(violationSignature(err.violation))) {
        cfg.stats.knownRepeats++;
        return;
      }
      failedOnce = true;
      last = isPropertyFailure(err) ? { options, contentSeed, history: [...run.history], violation: err.violation, stateId: run.crashFinding?.state.id ?? null } : null;
      throw err;
    }
  });
  const details = await fc.check(property, { seed, numRuns, endOnFailure: cfg.shrink === false });
  if (!details.failed || !last) {
    if (details.failed && details.errorInstance) throw details.errorInstance;
    return null;
  }
  return { ...(last as Omit<RawFailure, 'fastCheckSeed' | 'path'>), fastCheckSeed: details.seed, path: details.counterexamplePath ?? '' };
}
