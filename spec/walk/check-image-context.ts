/**
 * CheckImage: everything the walk's stages (run by the checker and the repair) know about one image: the decoded cluster 0, the
 * file's real size, and the tables' positions as numbers already judged by the header stage.
 * Stages fill `snapshots` and `bitmaps` as they read them.
 */
import type { BitmapDirectoryEntry } from '../format/bitmaps.js';
import type { ByteSource } from '../format/byte-source.js';
import { incompatibleBits } from '../format/feature-bits.js';
import { sizeToClusterCount } from '../format/geometry.js';
import type { Header } from '../format/header.js';
import type { ImageMeta } from '../format/image-meta.js';
import type { SnapshotEntry } from '../format/snapshot-table.js';
import type { MappingContext } from '../invariants/mapping.js';
import { refcountMaxOf } from '../invariants/refcounts.js';
import { clampOffset } from './table-chunks.js';

/** A byte range of the image file. */
export interface Extent {
  offsetBytes: number;
  sizeBytes: number;
}

export interface CheckImage {
  readonly source: ByteSource;
  readonly meta: ImageMeta;
  readonly header: Header;
  readonly fileSizeBytes: number;
  /** ceil(file size / cluster size): the clusters whose refcounts are compared. */
  readonly fileClusterCount: number;
  readonly clusterBits: number;
  readonly clusterSizeBytes: number;
  readonly l2EntryCount: number;
  readonly l2EntrySizeBytes: number;
  readonly mapping: MappingContext;
  readonly refcountOrder: number;
  readonly refcountBits: number;
  readonly refcountMax: number;
  readonly l1: { offsetBytes: number; entryCount: number };
  readonly reftable: { offsetBytes: number; entryCount: number };
  /** The LUKS header's clusters, when the image has one. */
  readonly encryptionHeader: Extent | null;
  /** Set by the bitmap stage when the bitmaps autoclear bit is set. */
  bitmapDirectory: Extent | null;
  bitmaps: BitmapDirectoryEntry[];
  /** Set by the snapshot stage. */
  snapshots: SnapshotEntry[];
  snapshotTable: Extent;
}

/** Builds the context from a decoded cluster 0 whose header the header stage accepted. */
export function checkImageOf(source: ByteSource, meta: ImageMeta): CheckImage {
  const h = meta.header;
  const g = meta.geometry;
  const fde = meta.extensions.fdePointer;
  const encryptionHeader = h.cryptMethod === 2 && fde !== undefined && fde.lengthBytes > 0n
    ? { offsetBytes: clampOffset(fde.offsetBytes), sizeBytes: clampOffset(fde.lengthBytes) }
    : null;
  return {
    source,
    meta,
    header: h,
    fileSizeBytes: source.sizeBytes,
    fileClusterCount: sizeToClusterCount(g, source.sizeBytes),
    clusterBits: g.clusterBits,
    clusterSizeBytes: g.clusterSizeBytes,
    l2EntryCount: g.l2EntryCount,
    l2EntrySizeBytes: g.l2EntrySizeBytes,
    mapping: {
      clusterBits: g.clusterBits,
      version: h.version,
      extendedL2: g.extendedL2,
      externalDataFile: h.version >= 3 && (h.incompatibleFeatures & incompatibleBits.externalDataFile) !== 0n,
    },
    refcountOrder: g.refcountOrder,
    refcountBits: g.refcountBits,
    refcountMax: refcountMaxOf(g.refcountBits),
    l1: { offsetBytes: clampOffset(h.l1TableOffset), entryCount: h.l1EntryCount },
    reftable: { offsetBytes: clampOffset(h.refcountTableOffset), entryCount: h.refcountTableClusters * (g.clusterSizeBytes / 8) },
    encryptionHeader,
    bitmapDirectory: null,
    bitmaps: [],
    snapshots: [],
    snapshotTable: { offsetBytes: clampOffset(h.snapshotsOffset), sizeBytes: 0 },
  };
}

/** total-clusters as qemu-img reports it: the virtual size, cut to whole 512-byte sectors, in clusters. */
export function totalClustersOf(image: CheckImage): number {
  const sectorsBytes = Math.floor(image.meta.geometry.virtualSizeBytes / 512) * 512;
  return Math.ceil(sectorsBytes / image.clusterSizeBytes);
}
