/**
 * ImageMeta: everything in cluster 0 (header, geometry, extensions, backing file name), read
 * once through a ByteSource. The entry point every reader of an image starts from.
 *
 * Throws FormatError when cluster 0 cannot be interpreted at all: magic (HDR-1), version (HDR-2),
 * truncated or oversized header (HDR-4), cluster_bits (HDR-3), refcount_order (HDR-11), extension
 * records past their area (EXT-1), backing file name bounds (HDR-5). Value rules that do not stop
 * interpretation are left to spec/invariants/header.ts.
 */
import { hex } from './bounded-reader.js';
import type { ByteSource } from './byte-source.js';
import { FormatError } from './format-error.js';
import { geometryFromHeader, type Geometry } from './geometry.js';
import { decodeHeader, type Header } from './header.js';
import { decodeHeaderExtensions, type ExtensionArea, type HeaderExtensions } from './header-extensions.js';
import { limits } from './limits.js';

export interface ImageMeta {
  header: Header;
  geometry: Geometry;
  extensions: HeaderExtensions;
  /** Backing file name from the header (not resolved), if any. */
  backingFileName?: string;
  /** First byte past the extension area: the backing name offset, or the end of cluster 0. */
  extensionAreaEndBytes: number;
  /** Where the extension records may lie (EXT-1). */
  extensionArea: ExtensionArea;
}

/** Reads and decodes cluster 0 of an image. */
export function readImageMeta(source: ByteSource): ImageMeta {
  const head = source.read(0, 4096);
  const header = decodeHeader(head);
  if (header.version !== 2 && header.version !== 3) {
    throw new FormatError('HDR-2', 'header.version @4', `unsupported qcow2 version ${header.version} (must be 2 or 3)`);
  }
  if (header.clusterBits < limits.clusterBitsMin || header.clusterBits > limits.clusterBitsMaxQemu) {
    const rule = header.clusterBits < limits.clusterBitsMin ? 'HDR-3' : 'QIMPL-CLUSTER-BITS';
    throw new FormatError(rule, 'header.cluster_bits @20', `cluster_bits ${header.clusterBits} outside ${limits.clusterBitsMin}..${limits.clusterBitsMaxQemu}`);
  }
  const clusterSizeBytes = 2 ** header.clusterBits;
  if (header.version === 3) checkHeaderLength(header, clusterSizeBytes);
  const cluster0 = header.headerLengthBytes > head.length || clusterSizeBytes > head.length ? source.read(0, clusterSizeBytes) : head;
  const full = header.version === 3 && header.headerLengthBytes > head.length ? decodeHeader(cluster0) : header;
  const geometry = geometryFromHeader(full);
  const backingOffset = full.backingFileOffset;
  const endsAtBackingName = backingOffset !== 0n && backingOffset < BigInt(clusterSizeBytes);
  const extensionAreaEndBytes = endsAtBackingName ? Number(backingOffset) : clusterSizeBytes;
  const extStart = full.version === 2 ? limits.headerV2LengthBytes : full.headerLengthBytes;
  const extensionArea: ExtensionArea = { startBytes: extStart, endBytes: extensionAreaEndBytes, endsAtBackingName };
  // A backing file name that starts inside the header leaves no room for records (HDR-5 judges it).
  const extensions =
    extStart < extensionAreaEndBytes ? decodeHeaderExtensions(cluster0, extensionArea) : { all: [], featureNames: [], unknown: [], endOffsetBytes: extStart };
  const meta: ImageMeta = { header: full, geometry, extensions, extensionAreaEndBytes, extensionArea };
  if (backingOffset !== 0n) meta.backingFileName = readBackingName(full, cluster0, clusterSizeBytes);
  return meta;
}

function checkHeaderLength(header: Header, clusterSizeBytes: number): void {
  const len = header.headerLengthBytes;
  if (len < limits.headerV3LengthBytesMin || len % 8 !== 0) {
    throw new FormatError('HDR-4', 'header.header_length @100', `header_length ${len} must be >= 104 and a multiple of 8`);
  }
  if (len > clusterSizeBytes) {
    throw new FormatError('QIMPL-HEADER-LENGTH', 'header.header_length @100', `header_length ${len} exceeds the cluster size ${clusterSizeBytes}`);
  }
}

function readBackingName(header: Header, cluster0: Uint8Array, clusterSizeBytes: number): string {
  const offset = header.backingFileOffset;
  const size = header.backingFileNameBytes;
  if (size > limits.backingFileNameBytesMax) {
    throw new FormatError('HDR-5', 'header.backing_file_size @16', `backing file name of ${size} bytes exceeds ${limits.backingFileNameBytesMax}`);
  }
  if (offset > BigInt(clusterSizeBytes) || Number(offset) + size > clusterSizeBytes) {
    throw new FormatError('QIMPL-BACKING-NAME', 'header.backing_file_offset @8', `backing file name at ${hex(offset)} (+${size}) lies outside cluster 0`);
  }
  if (Number(offset) + size > cluster0.length) {
    throw new FormatError('HDR-5', `backing file name @${hex(offset)}`, 'backing file name lies past the end of the file');
  }
  return new TextDecoder().decode(cluster0.subarray(Number(offset), Number(offset) + size));
}
