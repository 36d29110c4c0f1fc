import { distinctPrefixCodes } from './canonical-codes.js';
import type { CrashPointModel } from './crash-point-model.js';

/**
 * The choices each touched sector has once the size is fixed: the codes giving distinct states
 * (all codes inside the file, the distinct prefixes for the sector the size cuts, code 0 alone past
 * the end). Index = touched sector.
 */
export function choicesForSize(model: CrashPointModel, sizeCode: number): number[][] {
  const s = model.sectorSizeBytes;
  const sizeBytes = model.sizesBytes[sizeCode];
  const out: number[][] = new Array(model.touched.count);
  for (let t = 0; t < model.touched.count; t++) {
    const start = model.touched.sectors[t] * s;
    const n = model.versions[t].length;
    if (start >= sizeBytes) out[t] = [0];
    else if (start + s > sizeBytes) out[t] = distinctPrefixCodes(model.versions[t], sizeBytes - start);
    else out[t] = Array.from({ length: n }, (_, c) => c);
  }
  return out;
}

/**
 * The number of distinct states a crash at the model's point can leave: the sum over allowed
 * sizes of the product, over touched sectors, of their distinct contents below that size. Exact up
 * to 2^53; larger spaces return a float (possibly Infinity), which callers only compare.
 */
export function countStates(model: CrashPointModel): number {
  let total = 0;
  const s = model.sectorSizeBytes;
  for (let z = 0; z < model.sizesBytes.length; z++) {
    const sizeBytes = model.sizesBytes[z];
    let product = 1;
    for (let t = 0; t < model.touched.count && product !== Infinity; t++) {
      const start = model.touched.sectors[t] * s;
      if (start >= sizeBytes) break;
      const n = model.versions[t].length;
      product *= start + s > sizeBytes ? distinctPrefixCodes(model.versions[t], sizeBytes - start).length : n;
    }
    total += product;
  }
  return total;
}
