/**
 * imageInfo: the facts `qemu-img info --output=json` (7.2) reports for a qcow2 image, with the same
 * field names and the same rules for which optional fields appear, built from cluster 0, the
 * snapshot table and the bitmap directory. It opens only the image itself, never a backing or
 * data file (so it is safe on untrusted images, cf. CVE-2024-4467).
 */
import { statSync } from 'node:fs';
import { hex } from '../../spec/format/bounded-reader.js';
import { autoclearBits, compatibleBits, incompatibleBits } from '../../spec/format/feature-bits.js';
import { FormatError } from '../../spec/format/format-error.js';
import { isClusterAligned } from '../../spec/format/geometry.js';
import { readImageMeta, type ImageMeta } from '../../spec/format/image-meta.js';
import { decodeSnapshotTable, snapshotVmStateSizeBytes } from '../../spec/format/snapshot-table.js';
import { FileByteSource } from '../io/file-byte-source.js';
import { readBitmapInfo, type BitmapInfo } from './bitmap-info.js';

export interface SnapshotInfo {
  id: string;
  name: string;
  'vm-state-size': number;
  'date-sec': number;
  'date-nsec': number;
  'vm-clock-sec': number;
  'vm-clock-nsec': number;
  icount?: number;
}

interface Qcow2SpecificInfo {
  compat: '0.10' | '1.1';
  'compression-type': 'zlib' | 'zstd';
  'refcount-bits': number;
  'lazy-refcounts'?: boolean;
  corrupt?: boolean;
  'extended-l2'?: boolean;
  'data-file'?: string;
  'data-file-raw'?: boolean;
  bitmaps?: BitmapInfo[];
}

export interface ImageInfo {
  filename: string;
  format: 'qcow2';
  'virtual-size': number;
  'actual-size': number;
  'cluster-size': number;
  'dirty-flag': boolean;
  encrypted?: true;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  snapshots?: SnapshotInfo[];
  'format-specific': { type: 'qcow2'; data: Qcow2SpecificInfo };
}

/**
 * Builds the info of the image at `path` (named as given in `filename`). Throws the OS error for
 * an unreadable file and FormatError for an image whose header, snapshot table or bitmap
 * directory cannot be decoded.
 */
export function imageInfo(path: string): ImageInfo {
  const source = new FileByteSource(path);
  try {
    const meta = readImageMeta(source);
    const h = meta.header;
    const info: ImageInfo = {
      filename: path,
      format: 'qcow2',
      'virtual-size': meta.geometry.virtualSizeBytes,
      'actual-size': statSync(path).blocks * 512,
      'cluster-size': meta.geometry.clusterSizeBytes,
      'dirty-flag': h.version >= 3 && (h.incompatibleFeatures & incompatibleBits.dirty) !== 0n,
      'format-specific': { type: 'qcow2', data: specificInfo(meta, source) },
    };
    if (h.cryptMethod !== 0) info.encrypted = true;
    if (meta.backingFileName) {
      info['backing-filename'] = meta.backingFileName;
      info['full-backing-filename'] = fullBackingName(path, meta.backingFileName);
      if (meta.extensions.backingFormat) info['backing-filename-format'] = meta.extensions.backingFormat;
    }
    const snapshots = snapshotInfo(meta, source);
    if (snapshots.length > 0) info.snapshots = snapshots;
    return info;
  } finally {
    source.close();
  }
}

function specificInfo(meta: ImageMeta, source: FileByteSource): Qcow2SpecificInfo {
  const h = meta.header;
  if (h.compressionType > 1) {
    throw new FormatError('HDR-13', 'header.compression_type @104', `unknown compression type ${h.compressionType}`);
  }
  const data: Qcow2SpecificInfo = {
    compat: h.version >= 3 ? '1.1' : '0.10',
    'compression-type': h.compressionType === 1 ? 'zstd' : 'zlib',
    'refcount-bits': meta.geometry.refcountBits,
  };
  if (h.version < 3) return data;
  const externalData = (h.incompatibleFeatures & incompatibleBits.externalDataFile) !== 0n;
  data['lazy-refcounts'] = (h.compatibleFeatures & compatibleBits.lazyRefcounts) !== 0n;
  data.corrupt = (h.incompatibleFeatures & incompatibleBits.corrupt) !== 0n;
  data['extended-l2'] = meta.geometry.extendedL2;
  if (meta.extensions.dataFileName !== undefined) data['data-file'] = meta.extensions.dataFileName;
  if (externalData) data['data-file-raw'] = (h.autoclearFeatures & autoclearBits.rawExternalData) !== 0n;
  const bitmaps = (h.autoclearFeatures & autoclearBits.bitmaps) !== 0n ? readBitmapInfo(meta, source) : [];
  if (bitmaps.length > 0) data.bitmaps = bitmaps;
  return data;
}

function snapshotInfo(meta: ImageMeta, source: FileByteSource): SnapshotInfo[] {
  const h = meta.header;
  if (h.snapshotCount === 0) return [];
  if (!isClusterAligned(meta.geometry, h.snapshotsOffset) || h.snapshotsOffset > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatError('SN-1', 'header.snapshots_offset @64', `snapshot table offset ${hex(h.snapshotsOffset)} is not a cluster-aligned file offset`);
  }
  return decodeSnapshotTable(source, Number(h.snapshotsOffset), h.snapshotCount).map((s) => {
    const out: SnapshotInfo = {
      id: s.id,
      name: s.name,
      'vm-state-size': snapshotVmStateSizeBytes(s),
      'date-sec': s.dateSeconds,
      'date-nsec': s.dateNanoseconds,
      'vm-clock-sec': Number(s.vmClockNanoseconds / 1_000_000_000n),
      'vm-clock-nsec': Number(s.vmClockNanoseconds % 1_000_000_000n),
    };
    if (s.icount !== undefined && s.icount !== 0xffffffffffffffffn) out.icount = Number(s.icount);
    return out;
  });
}

/** The backing name made absolute the way QEMU does: prefixed with the image path's directory part. */
function fullBackingName(imagePath: string, backingName: string): string {
  if (backingName.startsWith('/') || /^[^/]*:/.test(backingName)) return backingName;
  const slash = imagePath.lastIndexOf('/');
  return slash < 0 ? backingName : imagePath.slice(0, slash + 1) + backingName;
}
