import type { Prng } from '../prng.js';
import { canonicalizeCodes } from './canonical-codes.js';
import type { CrashPointModel } from './crash-point-model.js';
import { CrashState } from './crash-state.js';
import { SAMPLING_STRATEGIES } from './sampling-strategies.js';
import { encodeStateId } from './state-id.js';

/** Draws per wanted state before the sampler gives up (the space may hold fewer distinct states). */
const ATTEMPTS_PER_STATE = 8;

/**
 * Up to `maxStates` distinct states of a crash at the model's point, drawn with the weighted
 * sampling strategies; the same Prng state gives the same states in the same order. Each state's
 * `origin` names the strategy that found it.
 */
export function* sampleStates(model: CrashPointModel, maxStates: number, prng: Prng): Generator<CrashState> {
  const seen = new Set<string>();
  const weights = SAMPLING_STRATEGIES.map((s) => s.weight);
  const attemptsMax = maxStates * ATTEMPTS_PER_STATE + 64;
  for (let attempt = 0; seen.size < maxStates && attempt < attemptsMax; attempt++) {
    const strategy = SAMPLING_STRATEGIES[prng.weighted(weights)];
    const codes = new Uint32Array(model.touched.count);
    const sizeCode = strategy.pick(model, prng, codes);
    if (sizeCode === null) continue;
    canonicalizeCodes(model, codes, sizeCode);
    const id = encodeStateId(model.crashPoint, model.sectorSizeBytes, sizeCode, codes);
    if (seen.has(id)) continue;
    seen.add(id);
    yield new CrashState(model, sizeCode, codes, id, strategy.name);
  }
}
