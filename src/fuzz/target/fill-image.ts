/**
 * fillImage: a populated image before a run (FuzzImageOptions.fillBytes): the base content
 * (write id 0, the backing file's) written over the guest's first bytes through the engine, then
 * the internal snapshots of FuzzImageOptions.fillSnapshots taken of it, and the image closed
 * cleanly, so the run starts from a flushed, clean image with those clusters allocated (and shared
 * with the snapshots).
 */
import type { EngineImage } from '../../engine/engine.js';
import { BACKING_WRITE_ID, writeContent } from '../content/content-tag.js';
import { fillSnapshotName, type FuzzImageOptions } from '../image-options.js';

/** Writes in pieces of this many bytes (a 1 GiB fill never holds 1 GiB of content at once). */
const FILL_CHUNK_BYTES = 1 << 20;

/** Fills `image` as `options` say, takes the fill's snapshots and closes it. */
export async function fillImage(image: EngineImage, options: FuzzImageOptions, contentSeed: number): Promise<void> {
  const bytes = Math.min(options.fillBytes ?? 0, options.virtualSizeBytes);
  for (let at = 0; at < bytes; at += FILL_CHUNK_BYTES) await image.write(at, writeContent(contentSeed, BACKING_WRITE_ID, at, Math.min(FILL_CHUNK_BYTES, bytes - at)));
  if ((options.fillSnapshots ?? 0) > 0) await image.flush();
  for (let i = 1; i <= (options.fillSnapshots ?? 0); i++) await image.snapshotCreate(fillSnapshotName(i));
  await image.close();
}

/** True when the image is made with more than its create options: a fill or snapshots of it. */
export function needsFill(options: FuzzImageOptions): boolean {
  return (options.fillBytes ?? 0) > 0 || (options.fillSnapshots ?? 0) > 0;
}
