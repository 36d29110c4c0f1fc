import type { Prng } from '../prng.js';
import { canonicalizeCodes } from './canonical-codes.js';
import type { CrashPointModel } from './crash-point-model.js';
import { CrashState } from './crash-state.js';
import { SAMPLING_STRATEGIES } from './sampling-strategies.js';
import { StateSet } from './state-set.js';

/** Draws per wanted state before the sampler gives up (the space may hold fewer distinct states). */
const ATTEMPTS_PER_STATE = 8;
/** A strategy that found only known states this many times in a row has run dry and is retired. */
const REPEATS_BEFORE_RETIRING = 64;

/**
 * Up to `maxStates` distinct states of a crash at the model's point, drawn with the weighted
 * sampling strategies; the same Prng state gives the same states in the same order. Each state's
 * `origin` names the strategy that found it.
 */
export function* sampleStates(model: CrashPointModel, maxStates: number, prng: Prng): Generator<CrashState> {
  const seen = new StateSet();
  const weights = SAMPLING_STRATEGIES.map((s) => s.weight);
  const repeats = SAMPLING_STRATEGIES.map(() => 0);
  const attemptsMax = maxStates * ATTEMPTS_PER_STATE + 64;
  let codes = model.newCodes();
  for (let attempt = 0; seen.size < maxStates && attempt < attemptsMax && weights.some((w) => w > 0); attempt++) {
    const index = prng.weighted(weights);
    const strategy = SAMPLING_STRATEGIES[index];
    const sizeCode = strategy.pick(model, prng, codes);
    if (sizeCode === null) {
      weights[index] = 0;
      continue;
    }
    canonicalizeCodes(model, codes, sizeCode);
    if (!seen.add(sizeCode, codes)) {
      if (++repeats[index] >= REPEATS_BEFORE_RETIRING) weights[index] = 0;
      continue;
    }
    repeats[index] = 0;
    yield new CrashState(model, sizeCode, codes, strategy.name);
    codes = model.newCodes();
  }
}
