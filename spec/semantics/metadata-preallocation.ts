/**
 * QEMU's metadata-preallocation heuristic, which changes what `qemu-img map` reports: when an
 * image file holds far more refcounted clusters than the file system has allocated, QEMU 7.2
 * assumes `preallocation=metadata` and asks the file (SEEK_DATA) about every data run, so holes
 * inside allocated clusters show as `data: true, zero: true`.
 *
 * The rule, from block/qcow2-refcount.c (qcow2_detect_metadata_preallocation): with
 * real = allocated bytes / cluster size and threshold = max(real * 10 / 9, real + 2) (integer
 * division), count host clusters below the end of the file whose refcount is non-zero; detected
 * when the count reaches the threshold. Any error while reading refcounts means "not detected".
 */
import { clusterIndexToRefblockIndex, clusterIndexToReftableIndex, isClusterAligned, offsetToClusterIndex, sizeToClusterCount } from '../format/geometry.js';
import type { ByteSource } from '../format/byte-source.js';
import { readPadded } from '../format/byte-source.js';
import type { ImageMeta } from '../format/image-meta.js';
import { limits } from '../format/limits.js';
import { getRefcount } from '../format/refcount-block.js';
import { decodeRefcountTableEntry } from '../format/refcount-table-entry.js';
import { TableView } from '../format/table-view.js';

/**
 * True when QEMU would treat the image as metadata-preallocated. `allocatedBytes` is the image
 * file's allocated size on disk (st_blocks * 512). Reads at most the refcount table and the
 * refcount blocks up to the point the threshold is reached; never throws on damaged refcounts.
 */
export function detectMetadataPreallocation(meta: ImageMeta, source: ByteSource, allocatedBytes: number): boolean {
  const g = meta.geometry;
  const realClusterCount = offsetToClusterIndex(g, allocatedBytes);
  const threshold = Math.max(Math.floor((realClusterCount * 10) / 9), realClusterCount + 2);
  const endCluster = sizeToClusterCount(g, source.sizeBytes);
  const reftable = readReftable(meta, source, Math.ceil(endCluster / g.refblockEntryCount));
  if (!reftable) return false;
  let count = 0;
  let cluster = 0;
  while (cluster < endCluster && count < threshold) {
    const reftableIndex = clusterIndexToReftableIndex(g, cluster);
    if (reftableIndex >= reftable.wordCount) break;
    const blockEnd = Math.min((reftableIndex + 1) * g.refblockEntryCount, endCluster);
    const { refblockOffsetBytes } = decodeRefcountTableEntry(reftable.hi(reftableIndex), reftable.lo(reftableIndex));
    if (refblockOffsetBytes === 0) {
      cluster = blockEnd;
      continue;
    }
    if (!isClusterAligned(g, refblockOffsetBytes) || refblockOffsetBytes > limits.safeOffsetBytesMax) return false;
    const block = readPadded(source, refblockOffsetBytes, g.clusterSizeBytes);
    for (; cluster < blockEnd && count < threshold; cluster++) {
      if (getRefcount(block, clusterIndexToRefblockIndex(g, cluster), g.refcountOrder) !== 0) count++;
    }
  }
  return count >= threshold;
}

/** The first `wantCount` reftable entries (fewer if the table is shorter), or null if unusable. */
function readReftable(meta: ImageMeta, source: ByteSource, wantCount: number): TableView | null {
  const g = meta.geometry;
  const offset = meta.header.refcountTableOffset;
  const tableBytes = meta.header.refcountTableClusters * g.clusterSizeBytes;
  if (tableBytes > limits.refcountTableSizeBytesMax) return null;
  if (offset % BigInt(g.clusterSizeBytes) !== 0n || offset > BigInt(limits.safeOffsetBytesMax)) return null;
  const count = Math.min(wantCount, tableBytes / 8);
  return new TableView(readPadded(source, Number(offset), count * 8));
}
