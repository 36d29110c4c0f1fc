/**
 * Header extension invariants (EXT-1..EXT-7): the {type, length, data, pad} records after the
 * header. `extensionAreaFindings` walks raw bytes without throwing (EXT-1); the others judge the
 * records spec/format decoded.
 */
import { autoclearBits } from '../format/feature-bits.js';
import type { Header } from '../format/header.js';
import { extensionAreaEndLabel, extensionTypes, recordOverrun, type ExtensionArea, type HeaderExtensions } from '../format/header-extensions.js';
import { limits } from '../format/limits.js';
import { finding, hexOf, NO_FINDINGS, QEMU_DOES_NOT_FLAG, type Finding } from './finding.js';

const QEMU_REFUSES = 'qemu-img 7.2 refuses to open such an image.';
const QEMU_TOO_LARGE = 'qemu-img 7.2 refuses to open such an image, with "Header extension too large".';
const knownTypes = new Set<number>([
  extensionTypes.backingFormat,
  extensionTypes.featureNameTable,
  extensionTypes.bitmaps,
  extensionTypes.fullDiskEncryption,
  extensionTypes.externalDataFile,
]);

/**
 * EXT-1: the records of `cluster0` (the image's first bytes; bytes past them read as zeros) stay
 * inside `area`. A record whose type and length or whose data run past the area's end is a check
 * error, as QEMU refuses the image ("Header extension too large"); so is an end record that does.
 * A record whose padding alone runs into the backing file name is a corruption QEMU does not flag:
 * the name then overlaps the record.
 */
export function extensionAreaFindings(cluster0: Uint8Array, area: ExtensionArea): readonly Finding[] {
  const bytes = new Uint8Array(Math.max(area.endBytes, 0));
  bytes.set(cluster0.subarray(0, bytes.length));
  const view = new DataView(bytes.buffer);
  let pos = area.startBytes;
  while (pos < area.endBytes) {
    const overrun = recordOverrun(bytes, pos, area.endBytes);
    if (overrun !== null) return [finding('EXT-1', 'check-error', `header extension @${hexOf(pos)}`, `${overrun} past ${extensionAreaEndLabel(area)}`, QEMU_TOO_LARGE)];
    const type = view.getUint32(pos);
    if (type === extensionTypes.end) return NO_FINDINGS;
    const lengthBytes = view.getUint32(pos + 4);
    const next = pos + 8 + Math.ceil(lengthBytes / 8) * 8;
    if (next > area.endBytes && area.endsAtBackingName) {
      const detail = `the padding of record ${hexOf(type)} runs ${next - area.endBytes} bytes past ${extensionAreaEndLabel(area)}: the name overlaps the record`;
      return [finding('EXT-1', 'corruption', `header extension @${hexOf(pos)}`, detail, QEMU_DOES_NOT_FLAG)];
    }
    pos = next;
  }
  return NO_FINDINGS;
}

/** EXT-2: unknown extension types are ignored but must be preserved by writers. */
export function unknownExtensionFindings(ext: HeaderExtensions): readonly Finding[] {
  return ext.unknown.map((r) => finding('EXT-2', 'info', `header extension ${hexOf(r.type)} @${hexOf(r.offsetBytes)}`, `unknown extension of ${r.data.length} bytes (ignored, to be preserved)`));
}

/** EXT-3: each known extension type appears at most once. */
export function duplicateExtensionFindings(ext: HeaderExtensions): readonly Finding[] {
  const seen = new Set<number>();
  const out: Finding[] = [];
  for (const r of ext.all) {
    if (!knownTypes.has(r.type)) continue;
    if (seen.has(r.type)) out.push(finding('EXT-3', 'corruption', `header extension ${hexOf(r.type)} @${hexOf(r.offsetBytes)}`, 'second record of this type (QEMU keeps the last one)', QEMU_DOES_NOT_FLAG));
    seen.add(r.type);
  }
  return out;
}

/** EXT-4 (and QIMPL-BACKING-FORMAT): string extensions; QEMU keeps backing formats below 16 bytes. */
export function stringExtensionFindings(ext: HeaderExtensions): readonly Finding[] {
  const rec = ext.all.find((r) => r.type === extensionTypes.backingFormat);
  if (rec === undefined || rec.data.length < 16) return NO_FINDINGS;
  return [finding('QIMPL-BACKING-FORMAT', 'check-error', `header extension backing format @${hexOf(rec.offsetBytes)}`, `backing format of ${rec.data.length} bytes (QEMU takes at most 15)`, QEMU_REFUSES)];
}

/** EXT-5: feature name table entries are 48 bytes: type 0..2, bit 0..63, a 46-byte name. */
export function featureNameTableFindings(ext: HeaderExtensions): readonly Finding[] {
  const out: Finding[] = [];
  for (const r of ext.all) {
    if (r.type !== extensionTypes.featureNameTable) continue;
    const where = `feature name table @${hexOf(r.offsetBytes)}`;
    if (r.data.length % 48 !== 0) out.push(finding('EXT-5', 'corruption', where, `length ${r.data.length} is not a multiple of 48`, QEMU_DOES_NOT_FLAG));
    for (let i = 0; i + 48 <= r.data.length; i += 48) {
      if (r.data[i] > 2 || r.data[i + 1] > 63) {
        out.push(finding('EXT-5', 'corruption', `${where} entry ${i / 48}`, `feature type ${r.data[i]} / bit ${r.data[i + 1]} out of range`, QEMU_DOES_NOT_FLAG));
      }
    }
  }
  return out;
}

/**
 * EXT-6 (and QIMPL-BITMAP-COUNT, QIMPL-BITMAP-DIR-SIZE): the bitmaps extension is exactly 24 bytes:
 * >= 1 bitmap, reserved 0, a cluster-aligned directory. QEMU refuses a wrong length always, and the
 * other values only when the bitmaps autoclear bit is set (otherwise it ignores the extension).
 */
export function bitmapsExtensionFindings(h: Header, ext: HeaderExtensions, clusterSizeBytes: number): readonly Finding[] {
  if (ext.bitmapsLengthBytes === undefined) return NO_FINDINGS;
  const where = 'header extension bitmaps';
  if (ext.bitmapsLengthBytes !== 24) return [finding('EXT-6', 'check-error', where, `length ${ext.bitmapsLengthBytes} is not 24`, QEMU_REFUSES)];
  const b = ext.bitmaps!;
  const active = (h.autoclearFeatures & autoclearBits.bitmaps) !== 0n;
  const kind = active ? 'check-error' : 'corruption';
  const note = active ? QEMU_REFUSES : QEMU_DOES_NOT_FLAG;
  const out: Finding[] = [];
  if (b.reserved !== 0) out.push(finding('EXT-6', kind, where, `reserved field ${hexOf(b.reserved)} is not zero`, note));
  if (b.bitmapCount === 0) out.push(finding('EXT-6', kind, where, 'zero bitmaps', note));
  if (b.bitmapCount > limits.bitmapCountMax) out.push(finding('QIMPL-BITMAP-COUNT', kind, where, `${b.bitmapCount} bitmaps exceed QEMU's 65535`, note));
  if (b.directoryOffset % BigInt(clusterSizeBytes) !== 0n) out.push(finding('EXT-6', kind, where, `directory offset ${hexOf(b.directoryOffset)} is not cluster-aligned`, note));
  if (b.directorySizeBytes === 0n) out.push(finding('EXT-6', kind, where, 'directory of zero bytes', note));
  if (b.directorySizeBytes > BigInt(limits.bitmapDirectorySizeBytesMax)) {
    out.push(finding('QIMPL-BITMAP-DIR-SIZE', kind, where, `directory of ${b.directorySizeBytes} bytes exceeds QEMU's 64 MiB`, note));
  }
  return out;
}

/** EXT-7: the full-disk-encryption pointer is 16 bytes {offset, length} with a cluster-aligned offset. */
export function fdePointerFindings(ext: HeaderExtensions, clusterSizeBytes: number): readonly Finding[] {
  const rec = ext.all.find((r) => r.type === extensionTypes.fullDiskEncryption);
  if (rec === undefined) return NO_FINDINGS;
  const where = `header extension FDE pointer @${hexOf(rec.offsetBytes)}`;
  if (rec.data.length !== 16) return [finding('EXT-7', 'check-error', where, `length ${rec.data.length} is not 16`, QEMU_REFUSES)];
  const p = ext.fdePointer!;
  if (p.offsetBytes % BigInt(clusterSizeBytes) !== 0n) return [finding('EXT-7', 'check-error', where, `offset ${hexOf(p.offsetBytes)} is not cluster-aligned`, QEMU_REFUSES)];
  return NO_FINDINGS;
}

/** EXT-7: the unused tail of the encryption header's last cluster is zero (`tail` = those bytes). */
export function fdeTailFindings(tail: Uint8Array, tailOffsetBytes: number): readonly Finding[] {
  const i = tail.findIndex((b) => b !== 0);
  if (i < 0) return NO_FINDINGS;
  return [finding('EXT-7', 'corruption', `encryption header tail @${hexOf(tailOffsetBytes + i)}`, 'the unused tail of the encryption header clusters is not zero', QEMU_DOES_NOT_FLAG)];
}

/** Every extension predicate that needs no further reads. */
export function extensionFindings(h: Header, ext: HeaderExtensions, clusterSizeBytes: number): Finding[] {
  return [
    ...unknownExtensionFindings(ext),
    ...duplicateExtensionFindings(ext),
    ...stringExtensionFindings(ext),
    ...featureNameTableFindings(ext),
    ...bitmapsExtensionFindings(h, ext, clusterSizeBytes),
    ...fdePointerFindings(ext, clusterSizeBytes),
  ];
}
