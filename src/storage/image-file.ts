import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { BlockDevice } from './block-device.js';

/** Bytes read from a device at once when copying or hashing it. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Writes a device's content to a new file at `path` (replacing any file there), leaving all-zero
 * chunks as holes so a mostly empty image stays small on disk.
 * @throws the OS error when the file cannot be written
 */
export function writeImageFile(path: string, dev: BlockDevice): void {
  const fd = openSync(path, 'w');
  try {
    const size = dev.sizeBytes;
    for (let at = 0; at < size; at += CHUNK_BYTES) {
      const chunk = dev.read(at, Math.min(CHUNK_BYTES, size - at));
      if (chunk.every((b) => b === 0)) continue;
      for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done, at + done);
    }
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

