/**
 * StateChecker: how the crash judge checks a crash state as the crash left it. `full` runs the
 * checker over the whole state (summarizeCheck); `incremental` checks the crash point's last
 * flushed image once (incremental/base-check.ts) and each state from it and the sectors the state
 * changed (incremental/incremental-check.ts), falling back to the full check where a change
 * reaches what it does not follow. Both give the same summary (properties/incremental-judge).
 */
import type { BlockDevice } from '../../storage/block-device.js';
import type { CrashState } from '../../storage/crash-states/crash-state.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { summarizeCheck, type CheckSummary } from './check-summary.js';
import { baseCheckOf, type BaseCheck } from './incremental/base-check.js';
import { checkIncrementally, type FallbackReason } from './incremental/incremental-check.js';

/** `crashcow fuzz --judge`. */
export type JudgeMode = 'full' | 'incremental';

export const JUDGE_MODES: readonly JudgeMode[] = ['full', 'incremental'];

export interface StateChecker {
  /** The check of `state`, whose bytes are read through `read` (a tracker over the state's view). */
  summarize(state: CrashState, read: BlockDevice): CheckSummary;
}

/** How the incremental checker's states were checked. */
export interface IncrementalStats {
  incremental: number;
  /** States checked in full, by the reason the incremental check gave up. */
  full: Partial<Record<FallbackReason, number>>;
  /** Flushed images checked as bases. */
  bases: number;
}

export const fullStateChecker: StateChecker = {
  summarize: (_state, read) => summarizeCheck(toByteSource(read)),
};

/** Base checks per durable file (a crash plan's, shared by its crash points after the same flush). */
const bases = new WeakMap<BlockDevice, BaseCheck | null>();

export class IncrementalStateChecker implements StateChecker {
  readonly stats: IncrementalStats = { incremental: 0, full: {}, bases: 0 };

  summarize(state: CrashState, read: BlockDevice): CheckSummary {
    const durable = state.model.durable;
    let base = bases.get(durable);
    if (base === undefined) {
      base = baseCheckOf(toByteSource(durable));
      bases.set(durable, base);
      this.stats.bases++;
    }
    const r = base === null ? { fallback: 'image' as const } : checkIncrementally(base, state, read);
    if ('summary' in r) {
      this.stats.incremental++;
      return r.summary;
    }
    this.stats.full[r.fallback] = (this.stats.full[r.fallback] ?? 0) + 1;
    return summarizeCheck(toByteSource(read));
  }
}

/** The checker of a judge mode (incremental by default). */
export function stateCheckerFor(mode: JudgeMode | undefined): StateChecker {
  return mode === 'full' ? fullStateChecker : new IncrementalStateChecker();
}
