/**
 * Bitmap stage: reads and judges the bitmap directory the way QEMU loads it when it opens an image
 * whose bitmaps autoclear bit is set (otherwise QEMU ignores the bitmaps, and their clusters count
 * as leaks). Broken directories or entries make QEMU refuse the image: check errors here.
 */
import { readPadded } from '../format/byte-source.js';
import { decodeBitmapDirectory } from '../format/bitmaps.js';
import { autoclearBits } from '../format/feature-bits.js';
import { bitmapDirectoryFindings, bitmapEntryFindings, bitmapNameFindings } from '../invariants/bitmaps.js';
import { requestRangeFindings } from '../invariants/limits.js';
import type { CheckImage } from './check-image-context.js';
import type { FindingSink } from './finding-sink.js';
import { clampOffset } from './table-chunks.js';

/** Fills `image.bitmapDirectory` and `image.bitmaps`; returns false when the check cannot go on. */
export function bitmapStage(image: CheckImage, sink: FindingSink): boolean {
  const ext = image.meta.extensions.bitmaps;
  if (ext === undefined || (image.header.autoclearFeatures & autoclearBits.bitmaps) === 0n) return true;
  // EXT-6 (open stage) bounded the directory to 64 MiB and checked its count and alignment.
  sink.addAll(requestRangeFindings('the bitmap directory', ext.directoryOffset, ext.directorySizeBytes, 'header extension bitmaps', 'qemu-img 7.2 cannot open the image.'));
  if (sink.checkErrors > 0) return false;
  const offsetBytes = clampOffset(ext.directoryOffset);
  const sizeBytes = Number(ext.directorySizeBytes);
  image.bitmapDirectory = { offsetBytes, sizeBytes };
  const directory = readPadded(image.source, offsetBytes, sizeBytes);
  const structure = bitmapDirectoryFindings(directory, offsetBytes, ext.bitmapCount);
  sink.addAll(structure.findings);
  if (!structure.decodable) return false;
  const entries = decodeBitmapDirectory(directory, offsetBytes, ext.bitmapCount);
  entries.forEach((e, i) => sink.addAll(bitmapEntryFindings(i, e, image.meta.geometry.virtualSizeBytes, image.clusterSizeBytes)));
  sink.addAll(bitmapNameFindings(entries));
  image.bitmaps = entries;
  return sink.checkErrors === 0;
}
