/**
 * SourceCollector: a ReferenceSink that counts like ExpectedRefcounts and, for a chosen set of
 * clusters, remembers who references them. Used by the checker's second walk
 * (find-reference-sources.ts) to name the references of the clusters whose refcounts are wrong.
 */
import type { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import { referenceSource, type ReferenceSink, type ReferenceSource, type SourceKind } from '../../spec/walk/reference-source.js';

/** Sources remembered per cluster (a cluster referenced more often is described by these). */
const SOURCES_PER_CLUSTER_MAX = 8;

export class SourceCollector implements ReferenceSink {
  readonly sources = new Map<number, ReferenceSource[]>();

  /**
   * @param counter counts the references (reset by the caller before the walk)
   * @param wanted the cluster indexes whose sources to remember
   */
  constructor(
    private readonly counter: ExpectedRefcounts,
    private readonly wanted: ReadonlySet<number>,
  ) {}

  get clusterCount(): number {
    return this.counter.clusterCount;
  }

  countOf(clusterIndex: number): number {
    return this.counter.countOf(clusterIndex);
  }

  addCluster(clusterIndex: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    const status = this.counter.addCluster(clusterIndex);
    if (status === 0 && this.wanted.has(clusterIndex)) this.remember(clusterIndex, kind, snapshotIndex, tableIndex, entryIndex);
    return status;
  }

  add(offsetBytes: number, sizeBytes: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    const status = this.counter.add(offsetBytes, sizeBytes);
    if (status < 0 || sizeBytes <= 0) return status;
    const clusterSizeBytes = 2 ** this.counter.clusterBits;
    const first = Math.floor(offsetBytes / clusterSizeBytes);
    const last = Math.floor((offsetBytes + sizeBytes - 1) / clusterSizeBytes);
    if (this.wanted.size < last - first + 1) {
      for (const k of this.wanted) if (k >= first && k <= last) this.remember(k, kind, snapshotIndex, tableIndex, entryIndex);
    } else {
      for (let k = first; k <= last; k++) if (this.wanted.has(k)) this.remember(k, kind, snapshotIndex, tableIndex, entryIndex);
    }
    return status;
  }

  private remember(k: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): void {
    let list = this.sources.get(k);
    if (list === undefined) this.sources.set(k, (list = []));
    if (list.length < SOURCES_PER_CLUSTER_MAX) list.push(referenceSource(kind, snapshotIndex, tableIndex, entryIndex));
  }
}
