/** What a campaign needs, in a form that crosses to worker threads (plain data). */
import type { MutantName } from '../../engine/mutants.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import type { FixedImageOptions } from '../commands/image-options-arb.js';
import type { EngineName } from '../target/make-target.js';
import type { CampaignPlan } from './campaign-plan.js';

export interface CampaignSettings {
  engine: EngineName;
  mutants: MutantName[];
  /**
   * The QEMU build every job of a QEMU campaign runs (plain data, so each worker thread spawns the
   * same binaries); absent: CRASHCOW_QEMU_DIR, else PATH.
   */
  qemu?: QemuBinaries;
  plan: CampaignPlan;
  /** Epoch milliseconds after which no new run starts (a time budget), or null. */
  deadlineMs: number | null;
  fixed: FixedImageOptions;
  statesPerCrash: number;
  maxCommands: number;
  /**
   * False: fast-check does not shrink a failing run (throughput benchmarks, whose window should go
   * to judging states); the finding is still finalized and saved, with the operations as they failed.
   */
  shrink?: boolean;
  /**
   * Signatures (violationSignature) of defects already on record (`--known DIR`): a run that breaks
   * one counts as a repeat and is neither shrunk nor saved, so the time goes to new findings.
   */
  known?: string[];
  /** The faults the campaign injects besides power loss (`--faults`): 'eio', I/O errors (P6). Default 'power'. */
  faults?: 'power' | 'eio';
}

/**
 * Crash states judged per crash by default, on both engines. Many states per crash point share
 * their verdicts (state groups), so a large budget costs little more than a small one.
 */
export const DEFAULT_STATES_PER_CRASH = 1024;

/** Commands per run by default. */
export const DEFAULT_MAX_COMMANDS = 24;

/** True once the campaign's time budget is spent. */
export function deadlinePassed(settings: Pick<CampaignSettings, 'deadlineMs'>): boolean {
  return settings.deadlineMs !== null && Date.now() >= settings.deadlineMs;
}
