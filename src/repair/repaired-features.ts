/**
 * The feature bits a repaired image keeps (FEAT-1, FEAT-2, FEAT-8..FEAT-10): the dirty and corrupt
 * bits go once the result checks clean; autoclear bits that no longer hold go always.
 */
import { autoclearBits, autoclearKnownMask, incompatibleBits } from '../../spec/format/feature-bits.js';
import type { RepairContext } from './repair-context.js';

/** The incompatible features without the dirty and corrupt bits (FEAT-1, FEAT-2). */
export function withoutDirtyAndCorrupt(features: bigint): bigint {
  return features & ~(incompatibleBits.dirty | incompatibleBits.corrupt);
}

/**
 * The autoclear bits a repaired image keeps: unknown bits go (FEAT-10, as any writer clears them),
 * the bitmaps bit goes without a bitmaps extension (FEAT-8), raw external data goes with a backing
 * file (FEAT-9). Clearing an autoclear bit never changes what a guest reads.
 */
export function repairedAutoclear(ctx: RepairContext): bigint {
  const h = ctx.image.header;
  let bits = h.autoclearFeatures & autoclearKnownMask;
  if (ctx.image.meta.extensions.bitmapsLengthBytes === undefined) bits &= ~autoclearBits.bitmaps;
  if (ctx.hasBacking) bits &= ~autoclearBits.rawExternalData;
  return bits;
}
