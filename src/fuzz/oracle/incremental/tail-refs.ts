/**
 * TailRefs: the ReferenceSink of the walk's tail on a crash state (snapshot table, refcount table,
 * refcount blocks): it counts in the state's ExpectedRefcounts and remembers the source of each
 * reference the checker's second pass would name (SourceCollector's rule: a counted cluster
 * reference, or an extent not refused as past the end), in walk order.
 */
import type { ExpectedRefcounts } from '../../../../spec/walk/expected-refcounts.js';
import { ADD_OK, referenceSource, type ReferenceSink, type ReferenceSource, type SourceKind } from '../../../../spec/walk/reference-source.js';

export class TailRefs implements ReferenceSink {
  /** Per reference remembered: the cluster and its source, in walk order. */
  readonly clusters: number[] = [];
  readonly sources: ReferenceSource[] = [];

  constructor(private readonly counts: ExpectedRefcounts) {}

  get clusterCount(): number {
    return this.counts.clusterCount;
  }

  countOf(clusterIndex: number): number {
    return this.counts.countOf(clusterIndex);
  }

  addCluster(clusterIndex: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    const status = this.counts.addCluster(clusterIndex);
    if (status === ADD_OK) this.remember(clusterIndex, clusterIndex, kind, snapshotIndex, tableIndex, entryIndex);
    return status;
  }

  add(offsetBytes: number, sizeBytes: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    const status = this.counts.add(offsetBytes, sizeBytes);
    if (status < 0 || sizeBytes <= 0) return status;
    const clusterSizeBytes = 2 ** this.counts.clusterBits;
    this.remember(Math.floor(offsetBytes / clusterSizeBytes), Math.floor((offsetBytes + sizeBytes - 1) / clusterSizeBytes), kind, snapshotIndex, tableIndex, entryIndex);
    return status;
  }

  private remember(first: number, last: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): void {
    const source = referenceSource(kind, snapshotIndex, tableIndex, entryIndex);
    for (let k = first; k <= last; k++) {
      this.clusters.push(k);
      this.sources.push(source);
    }
  }
}
