import type { CrashPointModel, VersionCodes } from './crash-point-model.js';

/**
 * Rewrites a choice of version codes so that equal states get equal codes: sectors wholly past
 * the chosen size take code 0, and the sector the size cuts takes the smallest code with the same
 * bytes below the cut. Mutates and returns `codes`.
 */
export function canonicalizeCodes(model: CrashPointModel, codes: VersionCodes, sizeCode: number): VersionCodes {
  const s = model.sectorSizeBytes;
  const sizeBytes = model.sizesBytes[sizeCode];
  const touched = model.touched;
  const firstPast = touched.lowerBound(Math.ceil(sizeBytes / s));
  if (firstPast < codes.length) codes.fill(0, firstPast);
  const cutBytes = sizeBytes % s;
  if (cutBytes !== 0) {
    const t = touched.lowerBound(Math.floor(sizeBytes / s));
    if (t < codes.length && touched.sectors[t] === Math.floor(sizeBytes / s)) {
      codes[t] = firstWithSamePrefix(model.versions[t], codes[t], cutBytes);
    }
  }
  return codes;
}

/** The codes of a sector cut at `cutBytes` that give distinct states (first of each equal prefix). */
export function distinctPrefixCodes(versions: readonly Uint8Array[], cutBytes: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < versions.length; c++) if (firstWithSamePrefix(versions, c, cutBytes) === c) out.push(c);
  return out;
}

function firstWithSamePrefix(versions: readonly Uint8Array[], code: number, cutBytes: number): number {
  const target = versions[code];
  for (let c = 0; c < code; c++) {
    const v = versions[c];
    let same = true;
    for (let i = 0; i < cutBytes && same; i++) same = v[i] === target[i];
    if (same) return c;
  }
  return code;
}
