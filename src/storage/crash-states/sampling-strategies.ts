/**
 * The ways the sampler picks a crash state when there are too many to enumerate, each aimed at a
 * kind of state that tends to reveal bugs. A strategy fills one version code per touched sector
 * and returns a size code, or null when it does not apply to this crash point. Every choice comes
 * from the Prng it is given.
 */
import type { Prng } from '../prng.js';
import type { CrashPointModel, VersionCodes } from './crash-point-model.js';
import { allButPartOf, applyInOrder, contextOf } from './sampling-context.js';

interface SamplingStrategy {
  name: string;
  /** Relative frequency among applicable strategies. */
  weight: number;
  pick(model: CrashPointModel, prng: Prng, codes: VersionCodes): number | null;
}

/** All operations land in order except one. */
const dropOne: SamplingStrategy = {
  name: 'drop-one',
  weight: 3,
  pick(model, prng, codes) {
    const { droppable } = contextOf(model);
    if (droppable.length === 0) return null;
    allButPartOf(model, codes, prng.pick(droppable));
    return 0;
  },
};

/** The operations before a cut land in order, none after (an in-order disk losing its cache tail). */
const prefixCut: SamplingStrategy = {
  name: 'prefix-cut',
  weight: 2,
  pick(model, prng, codes) {
    const { fua, all } = contextOf(model);
    const lastFua = fua.length > 0 ? fua[fua.length - 1] : -1;
    const cut = lastFua + 1 + prng.int(model.pending.length - lastFua);
    applyInOrder(model, codes, all.slice(0, cut));
    return cut === 0 ? model.durableSizeCode : model.pending[cut - 1].sizeCode;
  },
};

/**
 * One multi-sector operation lands only in part: a leading run, a trailing run or scattered
 * sectors; two times in three it is one that rewrites existing data in place, when there is one.
 */
const tornWrite: SamplingStrategy = {
  name: 'torn-write',
  weight: 3,
  pick(model, prng, codes) {
    const { fua, multiSector, inPlace, all } = contextOf(model);
    if (multiSector.length === 0) return null;
    const j = prng.pick(inPlace.length > 0 && prng.int(3) < 2 ? inPlace : multiSector);
    const n = model.pending[j].hi - model.pending[j].lo;
    const k = 1 + prng.int(n - 1);
    const shape = prng.int(3);
    const scattered = shape === 2 ? Array.from({ length: n }, () => prng.chance(0.5)) : [];
    const keep = (i: number): boolean => (shape === 0 ? i < k : shape === 1 ? i >= n - k : scattered[i]);
    if (prng.chance(0.5)) {
      allButPartOf(model, codes, j, (i) => !keep(i));
      return 0;
    }
    applyInOrder(model, codes, [...all.slice(0, j + 1), ...fua.filter((f) => f > j)], { op: j, keep });
    const sizeCode = model.pending[j].sizeCode;
    return sizeCode >= 0 ? sizeCode : 0;
  },
};

/** Everything lands but the file keeps an earlier size. */
const lostGrowth: SamplingStrategy = {
  name: 'lost-growth',
  weight: 1,
  pick(model, prng, codes) {
    if (model.sizesBytes.length < 2) return null;
    codes.fill(0);
    return 1 + prng.int(model.sizesBytes.length - 1);
  },
};

/** A random subset lands, in a random order (a later write may lose to an earlier one). */
const shuffledSubset: SamplingStrategy = {
  name: 'shuffled-subset',
  weight: 1,
  pick(model, prng, codes) {
    const { fua, droppable } = contextOf(model);
    const p = prng.pick([0.25, 0.5, 0.75]);
    const order = [...fua];
    for (const j of droppable) if (prng.chance(p)) order.push(j);
    applyInOrder(model, codes, prng.shuffle(order));
    return prng.int(model.sizesBytes.length);
  },
};

/** Each sector independently takes any allowed content. */
const uniform: SamplingStrategy = {
  name: 'uniform',
  weight: 1,
  pick(model, prng, codes) {
    const counts = contextOf(model).versionCounts;
    let bits = 0;
    let bitsLeft = 0;
    for (let t = 0; t < codes.length; t++) {
      const n = counts[t];
      if (n === 1) codes[t] = 0;
      else if (n === 2) {
        if (bitsLeft === 0) {
          bits = prng.nextU32();
          bitsLeft = 32;
        }
        codes[t] = bits & 1;
        bits >>>= 1;
        bitsLeft--;
      } else codes[t] = prng.int(n);
    }
    return prng.int(model.sizesBytes.length);
  },
};

/** The strategies in the order their weights are listed. */
export const SAMPLING_STRATEGIES: readonly SamplingStrategy[] = [dropOne, prefixCut, tornWrite, lostGrowth, shuffledSubset, uniform];
