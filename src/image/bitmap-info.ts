/**
 * The persistent bitmaps `qemu-img info` lists (name, granularity, flags), read from the bitmap
 * directory (EXT-6, BM-1, BM-2) with every size checked against a named limit before reading.
 */
import { hex } from '../../spec/format/bounded-reader.js';
import type { ByteSource } from '../../spec/format/byte-source.js';
import { bitmapFlags, decodeBitmapDirectory } from '../../spec/format/bitmaps.js';
import { FormatError } from '../../spec/format/format-error.js';
import { isClusterAligned } from '../../spec/format/geometry.js';
import type { ImageMeta } from '../../spec/format/image-meta.js';
import { limits } from '../../spec/format/limits.js';

export interface BitmapInfo {
  name: string;
  /** Bytes of guest disk per bitmap bit. */
  granularity: number;
  /** "in-use" and "auto", in that order, as qemu-img lists them. */
  flags: ('in-use' | 'auto')[];
}

/** Lists the bitmaps of the directory the bitmaps extension points to (none without it). */
export function readBitmapInfo(meta: ImageMeta, source: ByteSource): BitmapInfo[] {
  const ext = meta.extensions.bitmaps;
  if (!ext) return [];
  if (ext.bitmapCount > limits.bitmapCountMax) {
    throw new FormatError('EXT-6', 'bitmaps extension nb_bitmaps', `${ext.bitmapCount} bitmaps exceed ${limits.bitmapCountMax}`);
  }
  if (ext.directorySizeBytes > BigInt(limits.bitmapDirectorySizeBytesMax)) {
    throw new FormatError('EXT-6', 'bitmaps extension bitmap_directory_size', `directory of ${ext.directorySizeBytes} bytes exceeds ${limits.bitmapDirectorySizeBytesMax}`);
  }
  if (!isClusterAligned(meta.geometry, ext.directoryOffset) || ext.directoryOffset > BigInt(limits.safeOffsetBytesMax)) {
    throw new FormatError('BM-1', 'bitmaps extension bitmap_directory_offset', `directory offset ${hex(ext.directoryOffset)} is not a cluster-aligned file offset`);
  }
  const offsetBytes = Number(ext.directoryOffset);
  const directory = source.read(offsetBytes, Number(ext.directorySizeBytes));
  return decodeBitmapDirectory(directory, offsetBytes, ext.bitmapCount).map((entry) => {
    const flags: BitmapInfo['flags'] = [];
    if ((entry.flags & bitmapFlags.inUse) !== 0) flags.push('in-use');
    if ((entry.flags & bitmapFlags.auto) !== 0) flags.push('auto');
    return { name: entry.name, granularity: 2 ** entry.granularityBits, flags };
  });
}
