/**
 * LayoutSink: a ReferenceSink that keeps, instead of counts, where each referenced structure lies
 * (host byte range, kind and the indexes that name it), for the references that overlap a set of
 * byte ranges. It accepts every reference, past the end of the file too: an explanation needs to
 * name the place a dropped write would have filled.
 */
import type { ReferenceSink, SourceKind, SourceKindName } from '../walk/reference-source.js';
import { referenceSource } from '../walk/reference-source.js';

/** One referenced structure (or one data cluster) of an image, as host bytes [startBytes, endBytes). */
export interface LayoutRegion {
  startBytes: number;
  endBytes: number;
  kind: SourceKindName;
  /** -1 for the active tables and for structures no snapshot owns. */
  snapshotIndex: number;
  /** The L1 index (L2 tables, data), the refcount table index (refcount blocks) or the bitmap index. */
  tableIndex: number;
  /** The L2 entry (data) or bitmap table entry (bitmap data). */
  entryIndex: number;
}

/** True when host bytes [startBytes, endBytes) are worth keeping. */
export type RangeFilter = (startBytes: number, endBytes: number) => boolean;

export class LayoutSink implements ReferenceSink {
  readonly regions: LayoutRegion[] = [];

  constructor(
    private readonly clusterSizeBytes: number,
    private readonly keep: RangeFilter,
  ) {}

  /** Every host cluster is in range: the walk then also names refcount blocks past the end of the file. */
  get clusterCount(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  /** The layout counts nothing; the walk asks only for refcount checks it does not run here. */
  countOf(): number {
    return 1;
  }

  addCluster(clusterIndex: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    return this.add(clusterIndex * this.clusterSizeBytes, this.clusterSizeBytes, kind, snapshotIndex, tableIndex, entryIndex);
  }

  add(offsetBytes: number, sizeBytes: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    const endBytes = offsetBytes + sizeBytes;
    if (sizeBytes > 0 && Number.isSafeInteger(endBytes) && this.keep(offsetBytes, endBytes)) {
      const s = referenceSource(kind, snapshotIndex, tableIndex, entryIndex);
      this.regions.push({ startBytes: offsetBytes, endBytes, kind: s.kind, snapshotIndex, tableIndex, entryIndex });
    }
    return 0;
  }
}
