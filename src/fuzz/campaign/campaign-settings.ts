/** What a campaign needs, in a form that crosses to worker threads (plain data). */
import type { MutantName } from '../../engine/mutants.js';
import type { FixedImageOptions } from '../commands/image-options-arb.js';
import type { EngineName } from '../target/make-target.js';
import type { CampaignPlan } from './campaign-plan.js';

export interface CampaignSettings {
  engine: EngineName;
  mutants: MutantName[];
  plan: CampaignPlan;
  /** Epoch milliseconds after which no new run starts (a time budget), or null. */
  deadlineMs: number | null;
  fixed: FixedImageOptions;
  statesPerCrash: number;
  maxCommands: number;
}

/** Crash states judged per crash by default (built-in engine: cheap runs, many of them). */
export const DEFAULT_STATES_PER_CRASH = 64;

/**
 * The default for an engine: QEMU's runs cost processes to set up, so each crash judges more
 * states, which also share more verdicts per crash point.
 */
export function defaultStatesPerCrash(engine: EngineName): number {
  return engine === 'qemu' ? 1024 : DEFAULT_STATES_PER_CRASH;
}

/** Commands per run by default. */
export const DEFAULT_MAX_COMMANDS = 24;
