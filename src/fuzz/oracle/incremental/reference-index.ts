/**
 * ReferenceIndex: a ReferenceSink that counts like ExpectedRefcounts (it hands every reference to
 * one) and remembers every counted reference, cluster by cluster, with its source and the walk
 * ordinal it was made under. The incremental crash judge walks a flushed image through it once:
 * a part of the walk made a contiguous run of references (`position` before and after), and the
 * references of one cluster come back in walk order (`ofCluster`), the order the checker's second
 * pass (src/check/find-reference-sources.ts) finds them in.
 */
import type { ExpectedRefcounts } from '../../../../spec/walk/expected-refcounts.js';
import { ADD_OK, referenceSource, type ReferenceSink, type ReferenceSource, type SourceKind } from '../../../../spec/walk/reference-source.js';

export class ReferenceIndex implements ReferenceSink {
  /** The walk ordinal of the references made now. */
  ordinal = 0;
  private length = 0;
  private clusters = new Float64Array(1024);
  private ordinals = new Float64Array(1024);
  private kinds = new Uint8Array(1024);
  private indexes = new Int32Array(3 * 1024);
  private byCluster: { starts: Int32Array; order: Int32Array } | null = null;

  constructor(readonly counts: ExpectedRefcounts) {}

  get clusterCount(): number {
    return this.counts.clusterCount;
  }

  /** References remembered so far (the index of the next one). */
  get position(): number {
    return this.length;
  }

  countOf(clusterIndex: number): number {
    return this.counts.countOf(clusterIndex);
  }

  addCluster(clusterIndex: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    const status = this.counts.addCluster(clusterIndex);
    if (status === ADD_OK) this.push(clusterIndex, kind, snapshotIndex, tableIndex, entryIndex);
    return status;
  }

  add(offsetBytes: number, sizeBytes: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number {
    const status = this.counts.add(offsetBytes, sizeBytes);
    if (status !== ADD_OK || sizeBytes <= 0) return status;
    const clusterSizeBytes = 2 ** this.counts.clusterBits;
    const last = Math.floor((offsetBytes + sizeBytes - 1) / clusterSizeBytes);
    for (let k = Math.floor(offsetBytes / clusterSizeBytes); k <= last; k++) this.push(k, kind, snapshotIndex, tableIndex, entryIndex);
    return status;
  }

  /** The cluster of reference `i`. */
  clusterAt(i: number): number {
    return this.clusters[i];
  }

  /** The ordinal of reference `i`. */
  ordinalAt(i: number): number {
    return this.ordinals[i];
  }

  /** The source of reference `i`. */
  sourceAt(i: number): ReferenceSource {
    return referenceSource(this.kinds[i] as SourceKind, this.indexes[3 * i], this.indexes[3 * i + 1], this.indexes[3 * i + 2]);
  }

  /** The raw source fields of reference `i`: kind, snapshot index, table index. */
  kindAt(i: number): SourceKind {
    return this.kinds[i] as SourceKind;
  }

  snapshotIndexAt(i: number): number {
    return this.indexes[3 * i];
  }

  tableIndexAt(i: number): number {
    return this.indexes[3 * i + 1];
  }

  /** The references of `clusterIndex`, as indexes, in walk order (built on first use; add nothing after). */
  ofCluster(clusterIndex: number): Int32Array {
    const by = (this.byCluster ??= this.buildByCluster());
    if (clusterIndex + 1 >= by.starts.length) return new Int32Array(0);
    return by.order.subarray(by.starts[clusterIndex], by.starts[clusterIndex + 1]);
  }

  private buildByCluster(): { starts: Int32Array; order: Int32Array } {
    const n = this.length;
    let top = 0;
    for (let i = 0; i < n; i++) top = Math.max(top, this.clusters[i] + 1);
    const starts = new Int32Array(top + 1);
    for (let i = 0; i < n; i++) starts[this.clusters[i] + 1]++;
    for (let k = 0; k < top; k++) starts[k + 1] += starts[k];
    const fill = starts.slice(0, top);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[fill[this.clusters[i]]++] = i;
    return { starts, order };
  }

  private push(clusterIndex: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): void {
    if (this.byCluster !== null) throw new Error('assertion: ReferenceIndex grew after it was read by cluster');
    if (this.length === this.clusters.length) this.grow();
    const i = this.length++;
    this.clusters[i] = clusterIndex;
    this.ordinals[i] = this.ordinal;
    this.kinds[i] = kind;
    this.indexes[3 * i] = snapshotIndex;
    this.indexes[3 * i + 1] = tableIndex;
    this.indexes[3 * i + 2] = entryIndex;
  }

  private grow(): void {
    const n = this.clusters.length * 2;
    const clusters = new Float64Array(n);
    clusters.set(this.clusters);
    this.clusters = clusters;
    const ordinals = new Float64Array(n);
    ordinals.set(this.ordinals);
    this.ordinals = ordinals;
    const kinds = new Uint8Array(n);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const indexes = new Int32Array(3 * n);
    indexes.set(this.indexes);
    this.indexes = indexes;
  }
}
