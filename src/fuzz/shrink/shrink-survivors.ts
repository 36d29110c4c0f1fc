/**
 * shrinkSurvivors: after fast-check has shrunk the operations, the failing crash state itself is
 * made smaller: one storage operation at a time it is dropped (its sectors back to their durable
 * content) or a torn one untorn (landed whole), then single sectors go back to durable, then the
 * file size; each step is kept while the same property still breaks. Fewer surviving writes make
 * the smallest witness (TigerBeetle's VOPR and Elle do the same for their histories).
 */
import { canonicalizeCodes } from '../../storage/crash-states/canonical-codes.js';
import type { VersionCodes } from '../../storage/crash-states/crash-point-model.js';
import { CrashState } from '../../storage/crash-states/crash-state.js';
import type { Violation } from '../violation.js';

/** Judges a candidate state: its violation of any property, or null. */
export type StateJudge = (state: CrashState) => Promise<Violation | null>;

interface ShrunkState {
  state: CrashState;
  violation: Violation;
  /** Candidate states judged. */
  attempts: number;
}

/** Judge calls at most. */
const SHRINK_ATTEMPTS_MAX = 400;

/** Shrinks `state` (which broke `violation.property`) as far as the budget allows. */
export async function shrinkSurvivors(state: CrashState, violation: Violation, judge: StateJudge, attemptsMax = SHRINK_ATTEMPTS_MAX): Promise<ShrunkState> {
  const model = state.model;
  let best: ShrunkState = { state, violation, attempts: 0 };
  const tried = new Set<string>([state.id]);
  const attempt = async (edit: (codes: VersionCodes) => boolean, sizeCode = best.state.sizeCode): Promise<boolean> => {
    if (best.attempts >= attemptsMax) return false;
    const codes = best.state.codes.slice() as VersionCodes;
    if (!edit(codes)) return false;
    canonicalizeCodes(model, codes, sizeCode);
    const candidate = new CrashState(model, sizeCode, codes, 'shrunk');
    if (tried.has(candidate.id)) return false;
    tried.add(candidate.id);
    best.attempts++;
    const v = await judge(candidate);
    if (!v || v.property !== violation.property) return false;
    best = { state: candidate, violation: v, attempts: best.attempts };
    return true;
  };
  for (const p of [...model.pending].reverse()) {
    await attempt((codes) => revert(codes, p.lo, p.hi, (t) => p.changed[t - p.lo] === 1 && codes[t] === p.codes[t - p.lo]));
  }
  for (const p of model.pending) {
    await attempt((codes) => {
      let changed = false;
      for (let t = p.lo; t < p.hi; t++) {
        const own = p.codes[t - p.lo];
        if (own >= 0 && p.changed[t - p.lo] === 1 && codes[t] > own) {
          codes[t] = own;
          changed = true;
        }
      }
      return changed;
    });
  }
  for (let t = 0; t < model.touched.count; t++) await attempt((codes) => revert(codes, t, t + 1, () => true));
  if (model.durableSizeCode >= 0 && model.durableSizeCode !== best.state.sizeCode) await attempt(() => true, model.durableSizeCode);

  /** Sets the sectors of [lo, hi) that `which` picks to their durable code; false when none changed. */
  function revert(codes: VersionCodes, lo: number, hi: number, which: (t: number) => boolean): boolean {
    let changed = false;
    for (let t = lo; t < hi; t++) {
      const durable = model.durableCodes[t];
      if (durable < 0 || codes[t] === durable || !which(t)) continue;
      codes[t] = durable;
      changed = true;
    }
    return changed;
  }
  return best;
}
