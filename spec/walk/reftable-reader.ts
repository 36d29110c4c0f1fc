/**
 * Reads the refcount table (at most 8 MiB, bounded by the open stage's QIMPL-REFTABLE-SIZE check):
 * the part inside the file as stored, the rest as zeros.
 */
import { readPadded } from '../format/byte-source.js';
import type { CheckImage } from './check-image-context.js';

export function readReftable(image: CheckImage): Uint8Array {
  const sizeBytes = image.reftable.entryCount * 8;
  const inFileBytes = Math.max(0, Math.min(sizeBytes, image.fileSizeBytes - image.reftable.offsetBytes));
  const table = new Uint8Array(sizeBytes);
  if (inFileBytes > 0) table.set(readPadded(image.source, image.reftable.offsetBytes, inFileBytes));
  return table;
}
