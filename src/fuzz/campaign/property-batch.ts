/**
 * runBatch: one fast-check batch of the fuzz property (generator: image options, content seed and
 * a command list; client: the target; nemesis: crash commands and the final crash; checker: the
 * properties). Each run returns its outcome; the property holds unless the outcome is a failure
 * the campaign does not already know, so fast-check shrinks the operations of a new failure, and
 * the batch returns the last failing outcome (fast-check's shrunk counterexample) with the sum of
 * its runs' counters.
 */
import fc from 'fast-check';
import { commandListArb } from '../commands/command-arbitrary.js';
import { faultKindsOf, type FaultKind, type FaultMode } from '../faults/fault-mode.js';
import { imageOptionsArb, type FixedImageOptions } from '../commands/image-options-arb.js';
import type { FuzzImageOptions } from '../image-options.js';
import type { JudgeMode } from '../oracle/state-checker.js';
import { eioPlanArb, type EioPlan } from '../nemesis/eio-fault.js';
import { FuzzRun } from '../runner/fuzz-run.js';
import { isFailure, type FailedRun } from '../runner/run-outcome.js';
import { newCoverage } from '../coverage/coverage.js';
import { newRunStats, sumStats, type RunStats } from '../runner/run-stats.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { violationSignature } from '../violation.js';

interface BatchConfig {
  target: FuzzTarget;
  fixed: FixedImageOptions;
  statesPerCrash: number;
  maxCommands: number;
  /** False: the first failing run is returned as it is, not shrunk. */
  shrink?: boolean;
  /** The faults the runs inject (default `power`): with several kinds, each run draws one; an `eio` run also draws its EioPlan (P6). */
  faults?: FaultMode;
  /** Checked before each run and within it: true stops the batch (the run in progress and those left stop). */
  shouldStop: () => boolean;
  /**
   * True for a signature (violationSignature) the campaign already knows: a run that breaks it
   * again counts in `knownRepeats` and passes, so the campaign spends its time on new bugs.
   */
  isKnown?: (signature: string) => boolean;
  /** How crash states are checked as the crash left them (default incremental; same verdicts). */
  judge?: JudgeMode;
  /** Called with each run's counters as it ends (live progress). */
  onRun?: (stats: RunStats) => void;
}

/** A failing run of a batch: its outcome and everything needed to name it. */
export interface BatchFailure {
  options: FuzzImageOptions;
  contentSeed: number;
  /** The fault the run injected (absent: power). */
  fault?: FaultKind;
  outcome: FailedRun;
  fastCheckSeed: number;
  path: string;
}

interface BatchResult {
  failure: BatchFailure | null;
  /** The sum of the batch's runs' counters (shrinking runs in `shrinkRuns`). */
  stats: RunStats;
}

/**
 * Runs `numRuns` runs from fast-check seed `seed`.
 * @throws what a run throws that is not a property failure (our own bug), as fast-check reports it
 */
export async function runBatch(cfg: BatchConfig, seed: number, numRuns: number): Promise<BatchResult> {
  let last: Omit<BatchFailure, 'fastCheckSeed' | 'path'> | null = null;
  let failedOnce = false;
  let stats = newRunStats();
  const kinds = faultKindsOf(cfg.faults ?? 'power');
  const runOne = async (options: FuzzImageOptions, contentSeed: number, cmds: Iterable<fc.AsyncCommand<FuzzRun, FuzzRun>>, fault: FaultKind, plan?: EioPlan): Promise<boolean> => {
    if (cfg.shouldStop()) return true;
    const counted = failedOnce ? { shrinkRuns: 1 } : { runs: 1, [`${fault}Runs`]: 1 };
    // A damage run judges its damaged images, not the crash states of its crash commands (they recover and go on).
    const eio = fault === 'eio' && plan ? { eio: plan } : {};
    const run = await FuzzRun.start({ target: cfg.target, options, seed: contentSeed, statesPerCrash: cfg.statesPerCrash, shouldAbandon: cfg.shouldStop, fault, judgeCrashes: fault !== 'damage', ...eio, ...(cfg.judge ? { judge: cfg.judge } : {}) });
    try {
      await fc.asyncModelRun(() => ({ model: run, real: run }), cmds);
    } catch (err) {
      await run.dispose();
      failedOnce = true;
      last = null;
      throw err;
    }
    const outcome = await run.finish();
    const known = isFailure(outcome) && cfg.isKnown?.(violationSignature(outcome.violation)) === true;
    const ranStats = 'runs' in counted ? outcome.stats : { ...outcome.stats, faultsFired: 0, coverage: newCoverage() }; // shrinking runs do not count
    const runStats = sumStats(ranStats, { ...counted, knownRepeats: known ? 1 : 0 });
    stats = sumStats(stats, runStats);
    cfg.onRun?.(runStats);
    if (!isFailure(outcome) || known) return true;
    failedOnce = true;
    last = { options, contentSeed, fault, outcome };
    return false;
  };
  const optionsArb = imageOptionsArb(cfg.target.opaqueRecovery ? { ...cfg.fixed, growth: false } : cfg.fixed);
  const params = { seed, numRuns, endOnFailure: cfg.shrink === false };
  // Power alone: the property draws exactly what it drew before --faults existed (same seed, same
  // runs); an eio plan is drawn only where a run may take it.
  const details =
    kinds.length === 1 && kinds[0] === 'eio'
      ? await fc.check(fc.asyncProperty(optionsArb, fc.nat(0xffffffff), commandListArb(cfg.maxCommands), eioPlanArb(cfg.maxCommands), (o, s, cmds, plan) => runOne(o, s, cmds, 'eio', plan)), params)
      : kinds.length === 1
        ? await fc.check(fc.asyncProperty(optionsArb, fc.nat(0xffffffff), commandListArb(cfg.maxCommands), (o, s, cmds) => runOne(o, s, cmds, kinds[0])), params)
        : await fc.check(fc.asyncProperty(optionsArb, fc.nat(0xffffffff), commandListArb(cfg.maxCommands), fc.constantFrom(...kinds), eioPlanArb(cfg.maxCommands), runOne), params);
  if (!details.failed || !last) {
    if (details.failed && details.errorInstance) throw details.errorInstance;
    return { failure: null, stats };
  }
  const failure = last as Omit<BatchFailure, 'fastCheckSeed' | 'path'>;
  return { failure: { ...failure, fastCheckSeed: details.seed, path: details.counterexamplePath ?? '' }, stats };
}
