/**
 * The ways the sampler picks a crash state when there are too many to enumerate, each aimed at a
 * kind of state that tends to reveal bugs. A strategy fills one version code per touched sector
 * and returns a size code, or null when it does not apply to this crash point. Every choice comes
 * from the Prng it is given.
 */
import type { Prng } from '../prng.js';
import type { CrashPointModel } from './crash-point-model.js';

export interface SamplingStrategy {
  name: string;
  /** Relative frequency among applicable strategies. */
  weight: number;
  pick(model: CrashPointModel, prng: Prng, codes: Uint32Array): number | null;
}

/** Applies the given operations (indexes into model.pending) in that order over the durable content. */
function applyInOrder(model: CrashPointModel, codes: Uint32Array, order: readonly number[], tornMask?: { op: number; keep: (i: number) => boolean }): void {
  for (let t = 0; t < codes.length; t++) codes[t] = model.durableCodes[t];
  for (const j of order) {
    const p = model.pending[j];
    for (let t = p.lo; t < p.hi; t++) {
      const c = p.codes[t - p.lo];
      if (c >= 0 && (tornMask?.op !== j || tornMask.keep(t - p.lo))) codes[t] = c;
    }
  }
}

/** Indexes of FUA writes (they always survive) and of every other operation that touches sectors. */
function classify(model: CrashPointModel): { fua: number[]; droppable: number[] } {
  const fua: number[] = [];
  const droppable: number[] = [];
  model.pending.forEach((p, j) => {
    if (p.op.kind === 'write' && p.op.fua) fua.push(j);
    else if (p.hi > p.lo || p.op.kind === 'truncate') droppable.push(j);
  });
  return { fua, droppable };
}

const allIndexes = (model: CrashPointModel): number[] => model.pending.map((_, j) => j);

/** All operations land in order except one. */
const dropOne: SamplingStrategy = {
  name: 'drop-one',
  weight: 3,
  pick(model, prng, codes) {
    const { droppable } = classify(model);
    if (droppable.length === 0) return null;
    const dropped = prng.pick(droppable);
    applyInOrder(model, codes, allIndexes(model).filter((j) => j !== dropped));
    return 0;
  },
};

/** The operations before a cut land in order, none after (an in-order disk losing its cache tail). */
const prefixCut: SamplingStrategy = {
  name: 'prefix-cut',
  weight: 2,
  pick(model, prng, codes) {
    const { fua } = classify(model);
    const lastFua = fua.length > 0 ? fua[fua.length - 1] : -1;
    const cut = lastFua + 1 + prng.int(model.pending.length - lastFua);
    applyInOrder(model, codes, allIndexes(model).slice(0, cut));
    return cut === 0 ? model.durableSizeCode : model.pending[cut - 1].sizeCode;
  },
};

/** One multi-sector operation lands only in part: a leading run, a trailing run or scattered sectors. */
const tornWrite: SamplingStrategy = {
  name: 'torn-write',
  weight: 3,
  pick(model, prng, codes) {
    const { fua, droppable } = classify(model);
    const multi = droppable.filter((j) => model.pending[j].hi - model.pending[j].lo >= 2);
    if (multi.length === 0) return null;
    const j = prng.pick(multi);
    const n = model.pending[j].hi - model.pending[j].lo;
    const k = 1 + prng.int(n - 1);
    const shape = prng.int(3);
    const scattered = Array.from({ length: n }, () => prng.chance(0.5));
    const keep = (i: number): boolean => (shape === 0 ? i < k : shape === 1 ? i >= n - k : scattered[i]);
    const prefixOnly = prng.chance(0.5);
    const order = prefixOnly ? [...allIndexes(model).slice(0, j + 1), ...fua.filter((f) => f > j)] : allIndexes(model);
    applyInOrder(model, codes, order, { op: j, keep });
    const sizeCode = model.pending[j].sizeCode;
    return prefixOnly && sizeCode >= 0 ? sizeCode : 0;
  },
};

/** Everything lands but the file keeps an earlier size. */
const lostGrowth: SamplingStrategy = {
  name: 'lost-growth',
  weight: 1,
  pick(model, prng, codes) {
    if (model.sizesBytes.length < 2) return null;
    applyInOrder(model, codes, allIndexes(model));
    return 1 + prng.int(model.sizesBytes.length - 1);
  },
};

/** A random subset lands, in a random order (a later write may lose to an earlier one). */
const shuffledSubset: SamplingStrategy = {
  name: 'shuffled-subset',
  weight: 2,
  pick(model, prng, codes) {
    const { fua, droppable } = classify(model);
    const p = prng.pick([0.25, 0.5, 0.75]);
    const order = prng.shuffle([...fua, ...droppable.filter(() => prng.chance(p))]);
    applyInOrder(model, codes, order);
    return prng.int(model.sizesBytes.length);
  },
};

/** Each sector independently takes any allowed content. */
const uniform: SamplingStrategy = {
  name: 'uniform',
  weight: 1,
  pick(model, prng, codes) {
    for (let t = 0; t < codes.length; t++) codes[t] = prng.int(model.versions[t].length);
    return prng.int(model.sizesBytes.length);
  },
};

/** The strategies in the order their weights are listed. */
export const SAMPLING_STRATEGIES: readonly SamplingStrategy[] = [dropOne, prefixCut, tornWrite, lostGrowth, shuffledSubset, uniform];
