import { createHash } from 'node:crypto';
import type { BlockDevice } from './block-device.js';

/** Bytes read from the device at once. */
const CHUNK_BYTES = 1024 * 1024;

/** SHA-256 of a device's size and content, hex: equal digests mean equal files. */
export function contentDigest(dev: BlockDevice): string {
  const hash = createHash('sha256');
  const size = dev.sizeBytes;
  hash.update(`${size}:`);
  for (let at = 0; at < size; at += CHUNK_BYTES) hash.update(dev.read(at, Math.min(CHUNK_BYTES, size - at)));
  return hash.digest('hex');
}
