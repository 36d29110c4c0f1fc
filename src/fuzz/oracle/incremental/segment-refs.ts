/**
 * SegmentRefs: the ReferenceSink of one L1 entry walked again alone on a crash state. It refuses
 * what ExpectedRefcounts refuses for the state's file (a reference ending a cluster or more past
 * its end: AL-4) and remembers every other reference, cluster by cluster, with its source, in
 * walk order. It counts nothing: the caller moves the state's counts by what it remembered and
 * checks the refcount width (RC-8) on the totals, which is where the whole walk would overflow.
 */
import { ADD_BEYOND_EOF, ADD_OK, referenceSource, type ReferenceSink, type ReferenceSource, type SourceKind } from '../../../../spec/walk/reference-source.js';

export class SegmentRefs implements ReferenceSink {
  /** Per reference kept: the cluster, in walk order (its source: `sourceAt`). */
  readonly clusters: number[] = [];
  /** Per reference: kind, snapshot index, table index and entry index, four numbers each. */
  private readonly fields: number[] = [];
  private covered: number;

  /**
   * @param fileClusterCount clusters of the state's file
   * @param fileSizeBytes the state's file size
   * @param clusterSizeBytes the image's cluster size
   */
  constructor(
    private readonly fileClusterCount: number,
    private readonly fileSizeBytes: number,
    private readonly clusterSizeBytes: number,
  ) {
    this.covered = fileClusterCount;
  }

  /** The file's clusters, plus one when a reference ends in the partial cluster past it. */
  get clusterCount(): number {
    return this.covered;
  }

  countOf(): number {
    throw new Error('assertion: an L1 entry walked alone never asks for a count');
  }

  addCluster(clusterIndex: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    if (clusterIndex >= this.fileClusterCount) return ADD_BEYOND_EOF;
    this.clusters.push(clusterIndex);
    this.fields.push(kind, snapshotIndex, tableIndex, entryIndex);
    return ADD_OK;
  }

  add(offsetBytes: number, sizeBytes: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    if (sizeBytes <= 0) return ADD_OK;
    if (offsetBytes + sizeBytes - this.fileSizeBytes >= this.clusterSizeBytes) return ADD_BEYOND_EOF;
    const first = Math.floor(offsetBytes / this.clusterSizeBytes);
    const last = Math.floor((offsetBytes + sizeBytes - 1) / this.clusterSizeBytes);
    if (last > this.fileClusterCount) throw new Error(`assertion: cluster ${last} past the expected-refcount table (${this.fileClusterCount + 1})`);
    if (last >= this.covered) this.covered = last + 1;
    for (let k = first; k <= last; k++) {
      this.clusters.push(k);
      this.fields.push(kind, snapshotIndex, tableIndex, entryIndex);
    }
    return ADD_OK;
  }

  /** The source of reference `i`. */
  sourceAt(i: number): ReferenceSource {
    const f = this.fields;
    return referenceSource(f[4 * i] as SourceKind, f[4 * i + 1], f[4 * i + 2], f[4 * i + 3]);
  }
}
