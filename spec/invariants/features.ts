/**
 * Feature-bit invariants (FEAT-1..FEAT-10): incompatible, compatible and autoclear bits of a v3
 * header, judged against the extensions present. v2 headers carry no feature fields (all zero).
 */
import { autoclearBits, autoclearKnownMask, compatibleBits, incompatibleBits, incompatibleKnownMask } from '../format/feature-bits.js';
import type { Header } from '../format/header.js';
import type { HeaderExtensions } from '../format/header-extensions.js';
import { finding, hexOf, NO_FINDINGS, QEMU_DOES_NOT_FLAG, type Finding } from './finding.js';

const INCOMPAT = 'header.incompatible_features @0x48';
const COMPAT = 'header.compatible_features @0x50';
const AUTOCLEAR = 'header.autoclear_features @0x58';

/** FEAT-1: the dirty bit: refcounts may be stale and must be rebuilt from the L1/L2 tables before use. */
export function dirtyFindings(h: Header): readonly Finding[] {
  if ((h.incompatibleFeatures & incompatibleBits.dirty) === 0n) return NO_FINDINGS;
  const lazy = (h.compatibleFeatures & compatibleBits.lazyRefcounts) !== 0n;
  return [finding('FEAT-1', 'info', INCOMPAT, `the image is dirty${lazy ? ' (lazy refcounts)' : ''}: refcounts may lag the tables; refcount mismatches below are expected and a repair (qemu-img check -r all, or any read-write open) rebuilds them`)];
}

/** FEAT-2: the corrupt bit: the image must not be written except to repair it. */
export function corruptBitFindings(h: Header): readonly Finding[] {
  if ((h.incompatibleFeatures & incompatibleBits.corrupt) === 0n) return NO_FINDINGS;
  return [finding('FEAT-2', 'info', INCOMPAT, 'the image is marked corrupt: QEMU opens it read-only until a repair clears the bit')];
}

/** FEAT-3, FEAT-9: an external data file; raw external data needs the data file bit and forbids a backing file. */
export function dataFileFindings(h: Header, ext: HeaderExtensions): readonly Finding[] {
  const dataFile = (h.incompatibleFeatures & incompatibleBits.externalDataFile) !== 0n;
  const raw = (h.autoclearFeatures & autoclearBits.rawExternalData) !== 0n;
  const out: Finding[] = [];
  if (!dataFile && ext.dataFileName !== undefined) {
    out.push(finding('FEAT-3', 'info', 'header extension external data file', `a data file name ("${ext.dataFileName}") without the external data file bit is ignored`));
  }
  if (raw && !dataFile) out.push(finding('FEAT-9', 'check-error', AUTOCLEAR, 'raw external data bit without the external data file bit', 'qemu-img 7.2 refuses to open such an image.'));
  if (raw && dataFile && h.backingFileOffset !== 0n) out.push(finding('FEAT-9', 'corruption', AUTOCLEAR, 'raw external data together with a backing file', QEMU_DOES_NOT_FLAG));
  return out;
}

/** FEAT-6: unknown incompatible bits must make every implementation refuse the image. */
export function unknownIncompatibleFindings(h: Header): readonly Finding[] {
  const unknown = h.incompatibleFeatures & ~incompatibleKnownMask;
  if (unknown === 0n) return NO_FINDINGS;
  return [finding('FEAT-6', 'check-error', INCOMPAT, `unknown incompatible feature bits ${hexOf(unknown)}`, 'qemu-img 7.2 refuses to open such an image.')];
}

/** FEAT-7: lazy refcounts are legal (v3 only); other compatible bits are unknown and ignored. */
export function compatibleFindings(h: Header): readonly Finding[] {
  const unknown = h.compatibleFeatures & ~compatibleBits.lazyRefcounts;
  if (unknown === 0n) return NO_FINDINGS;
  return [finding('FEAT-7', 'info', COMPAT, `unknown compatible feature bits ${hexOf(unknown)} (ignored)`)];
}

/** FEAT-8: the bitmaps autoclear bit needs the bitmaps extension; an extension without the bit marks the bitmaps inconsistent. */
export function bitmapsBitFindings(h: Header, ext: HeaderExtensions): readonly Finding[] {
  const bit = (h.autoclearFeatures & autoclearBits.bitmaps) !== 0n;
  const present = ext.bitmapsLengthBytes !== undefined;
  if (bit && !present) return [finding('FEAT-8', 'corruption', AUTOCLEAR, 'bitmaps bit set without a bitmaps extension', QEMU_DOES_NOT_FLAG)];
  if (!bit && present) return [finding('FEAT-8', 'info', AUTOCLEAR, 'bitmaps extension present with the bitmaps bit clear: its bitmaps are inconsistent and ignored')];
  return NO_FINDINGS;
}

/** FEAT-10: unknown autoclear bits; a writer that does not know them must clear them. */
export function unknownAutoclearFindings(h: Header): readonly Finding[] {
  const unknown = h.autoclearFeatures & ~autoclearKnownMask;
  if (unknown === 0n) return NO_FINDINGS;
  return [finding('FEAT-10', 'info', AUTOCLEAR, `unknown autoclear bits ${hexOf(unknown)}: the next writer that does not know them clears them`)];
}

/** Every feature predicate (FEAT-4 and FEAT-5 are judged with HDR-13 and HDR-3). */
export function featureFindings(h: Header, ext: HeaderExtensions): Finding[] {
  return [
    ...unknownIncompatibleFindings(h),
    ...dirtyFindings(h),
    ...corruptBitFindings(h),
    ...dataFileFindings(h, ext),
    ...compatibleFindings(h),
    ...bitmapsBitFindings(h, ext),
    ...unknownAutoclearFindings(h),
  ];
}
