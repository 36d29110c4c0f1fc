/**
 * Checks an untrusted header before anything is sized from it (the engine's share of HDR-*, FEAT-*):
 * every table offset aligned and every table size within its named limit, so a malformed image is a
 * FormatError naming the rule, never a crash or a huge allocation.
 */
import { hex } from '../../../spec/format/bounded-reader.js';
import { incompatibleBits, incompatibleKnownMask } from '../../../spec/format/feature-bits.js';
import { FormatError } from '../../../spec/format/format-error.js';
import { clusterCountToSize, isClusterAligned, sizeToL1EntryCount, type Geometry } from '../../../spec/format/geometry.js';
import type { ImageMeta } from '../../../spec/format/image-meta.js';
import { limits } from '../../../spec/format/limits.js';
import { EngineError } from '../engine-error.js';

/** A table's place in the file, checked for alignment and size before it is read. */
function validateTable(g: Geometry, t: { name: string; rule: string; where: string; offsetBytes: bigint; sizeBytes: number; sizeBytesMax: number }): void {
  if (t.sizeBytes > t.sizeBytesMax) throw new FormatError(t.rule, t.where, `${t.name} of ${t.sizeBytes} bytes exceeds ${t.sizeBytesMax}`);
  if (!isClusterAligned(g, t.offsetBytes)) throw new FormatError('HDR-7', t.where, `${t.name} offset ${hex(t.offsetBytes)} is not cluster-aligned`);
  if (t.offsetBytes + BigInt(t.sizeBytes) > BigInt(limits.safeOffsetBytesMax)) {
    throw new FormatError('HDR-7', t.where, `${t.name} at ${hex(t.offsetBytes)} ends past 2^53`);
  }
}

/**
 * Throws FormatError for headers the engine must not use (FEAT-6 unknown bits, FEAT-2 corrupt when
 * writing, HDR-3/7/8/9/13 table rules) and EngineError ENOTSUP for features it does not implement
 * (external data files, encryption).
 */
export function checkHeaderForOpen(meta: ImageMeta, readOnly: boolean): void {
  const h = meta.header;
  const g = meta.geometry;
  const unknown = h.incompatibleFeatures & ~incompatibleKnownMask;
  if (unknown !== 0n) throw new FormatError('FEAT-6', 'header.incompatible_features @72', `unknown incompatible feature bits ${hex(unknown)}`);
  if (!readOnly && (h.incompatibleFeatures & incompatibleBits.corrupt) !== 0n) {
    throw new FormatError('FEAT-2', 'header.incompatible_features @72', 'image is marked corrupt; it cannot be opened read/write');
  }
  if ((h.incompatibleFeatures & incompatibleBits.externalDataFile) !== 0n) throw new EngineError('ENOTSUP', 'external data files (FEAT-3) are not supported');
  if (h.cryptMethod !== 0) throw new EngineError('ENOTSUP', `encryption method ${h.cryptMethod} (HDR-6) is not supported`);
  if (h.compressionType > 1) throw new FormatError('HDR-13', 'header.compression_type @104', `unknown compression type ${h.compressionType}`);
  if (((h.incompatibleFeatures & incompatibleBits.compressionType) !== 0n) !== (h.compressionType !== 0)) {
    throw new FormatError('HDR-13', 'header.compression_type @104', 'compression type bit and field disagree');
  }
  if (g.extendedL2 && h.clusterBits < limits.clusterBitsMinExtendedL2) {
    throw new FormatError('HDR-3', 'header.cluster_bits @20', `extended L2 needs clusters of at least 16 KiB, cluster_bits is ${h.clusterBits}`);
  }
  validateTable(g, { name: 'L1 table', rule: 'HDR-8', where: 'header.l1_size @36', offsetBytes: h.l1TableOffset, sizeBytes: h.l1EntryCount * 8, sizeBytesMax: limits.l1SizeBytesMax });
  if (h.l1EntryCount < sizeToL1EntryCount(g, g.virtualSizeBytes)) {
    throw new FormatError('HDR-8', 'header.l1_size @36', `L1 table of ${h.l1EntryCount} entries is too small for ${g.virtualSizeBytes} bytes`);
  }
  if (h.refcountTableClusters === 0) throw new FormatError('HDR-9', 'header.refcount_table_clusters @56', 'refcount table has no clusters');
  validateTable(g, { name: 'refcount table', rule: 'HDR-9', where: 'header.refcount_table_offset @48', offsetBytes: h.refcountTableOffset, sizeBytes: clusterCountToSize(g, h.refcountTableClusters), sizeBytesMax: limits.refcountTableSizeBytesMax });
  if (h.snapshotCount > 0) {
    validateTable(g, { name: 'snapshot table', rule: 'HDR-10', where: 'header.snapshots_offset @64', offsetBytes: h.snapshotsOffset, sizeBytes: 0, sizeBytesMax: limits.snapshotTableSizeBytesMax });
  }
}
