/**
 * The old refcount structures as the repair sees them: where the refcount table and each refcount
 * block are, whether they can be kept and edited in place, and (when not) why they must be rebuilt.
 * Claims their clusters under their own kinds (see ClusterClaims).
 */
import { hex } from '../../spec/format/bounded-reader.js';
import { isClusterAligned, offsetToClusterIndex } from '../../spec/format/geometry.js';
import { limits } from '../../spec/format/limits.js';
import { decodeRefcountTableEntry } from '../../spec/format/refcount-table-entry.js';
import type { TableView } from '../../spec/format/table-view.js';
import type { CheckImage } from '../../spec/walk/check-image-context.js';
import { ClaimKind, type ClusterClaims } from './cluster-claims.js';

export interface RefcountStructure {
  /** Refcount block offset per reftable index, for the usable entries (0 = no block). */
  refblockOffsets: number[];
  /** Why the structures cannot be edited in place; empty when they can. */
  unusableReasons: string[];
}

/** Surveys the refcount table `reftable` (as read, see readReftable) and claims its clusters. */
export function surveyRefcountStructure(image: CheckImage, reftable: TableView, claims: ClusterClaims): RefcountStructure {
  const g = image.meta.geometry;
  const cs = g.clusterSizeBytes;
  const out: RefcountStructure = { refblockOffsets: [], unusableReasons: [] };
  const tableBytes = image.reftable.entryCount * 8;
  const tableStart = image.reftable.offsetBytes;
  if (tableBytes === 0) out.unusableReasons.push('the header gives the refcount table 0 clusters (HDR-9)');
  else if (tableStart + tableBytes - image.fileSizeBytes >= cs) out.unusableReasons.push(`the refcount table at ${hex(tableStart)} runs past the end of the file (AL-4)`);
  else if (tableStart < cs) out.unusableReasons.push('the refcount table overlaps the header cluster (AL-3)');
  if (tableBytes > 0) claims.claimMeta(offsetToClusterIndex(g, tableStart), offsetToClusterIndex(g, tableStart + tableBytes - 1), ClaimKind.refcountTable);
  const seen = new Set<number>();
  for (let i = 0; i < reftable.wordCount; i++) {
    const hi = reftable.hi(i);
    const lo = reftable.lo(i);
    out.refblockOffsets.push(0);
    if ((hi | lo) === 0) continue;
    const why = refblockProblem(image, hi, lo, tableStart, tableBytes, seen);
    if (why !== null) {
      out.unusableReasons.push(`reftable[${i}]: ${why}`);
      continue;
    }
    const offsetBytes = decodeRefcountTableEntry(hi, lo).refblockOffsetBytes;
    const k = offsetToClusterIndex(g, offsetBytes);
    seen.add(k);
    out.refblockOffsets[i] = offsetBytes;
    claims.claimMeta(k, k, ClaimKind.refcountBlock);
  }
  return out;
}

/** What makes a reftable entry unusable (RC-1, AL-1, AL-3, AL-4, AL-2), or null. */
function refblockProblem(image: CheckImage, hi: number, lo: number, tableStart: number, tableBytes: number, seen: Set<number>): string | null {
  const g = image.meta.geometry;
  const cs = g.clusterSizeBytes;
  const entry = decodeRefcountTableEntry(hi, lo);
  if (entry.reservedBitsSet) return 'reserved bits set (RC-1)';
  const offsetBytes = entry.refblockOffsetBytes;
  if (offsetBytes > limits.safeOffsetBytesMax) return 'refcount block offset beyond any file (RC-1)';
  if (!isClusterAligned(g, offsetBytes)) return `refcount block offset ${hex(offsetBytes)} is not cluster-aligned (RC-1)`;
  if (offsetBytes >= image.fileSizeBytes) return `refcount block at ${hex(offsetBytes)} lies past the end of the file (AL-4)`;
  if (offsetBytes < cs) return 'refcount block in the header cluster (AL-3)';
  if (offsetBytes + cs > tableStart && offsetBytes < tableStart + tableBytes) return 'refcount block inside the refcount table (AL-2)';
  if (seen.has(offsetToClusterIndex(g, offsetBytes))) return `refcount block at ${hex(offsetBytes)} is named twice (AL-2)`;
  return null;
}
