import type { ByteSource } from '../../spec/format/byte-source.js';
import type { BlockDevice } from './block-device.js';

/**
 * The spec's ByteSource over a block device: same bytes, but a read at end of file returns only
 * the bytes that exist (a shorter array, empty past the end) instead of zero padding. The size is
 * read live, so the source follows later writes to the device.
 */
export function toByteSource(dev: BlockDevice): ByteSource {
  return {
    get sizeBytes(): number {
      return dev.sizeBytes;
    },
    read(offsetBytes: number, lengthBytes: number): Uint8Array {
      const sizeBytes = dev.sizeBytes;
      if (lengthBytes <= 0 || offsetBytes >= sizeBytes) return new Uint8Array(0);
      return dev.read(offsetBytes, Math.min(lengthBytes, sizeBytes - offsetBytes));
    },
  };
}
