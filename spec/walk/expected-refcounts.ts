/**
 * ExpectedRefcounts: the number of references to each host cluster (RC-5), counted the way
 * qemu-img check counts them: a reference ending a cluster or more past the end of the file is
 * refused (AL-4), and a count never exceeds the refcount width (RC-8).
 *
 * One byte per cluster of the real file (never sized by a header field): counts up to 254 live in
 * the byte; 255 means "see the overflow map", which holds the exact count.
 *
 * A growing instance (ExpectedRefcounts.growing) is what a repair plan tallies instead: it refuses
 * nothing, caps nothing and grows past the end of the file with the clusters the plan allocates.
 */
import { offsetToClusterIndex, type ClusterSize } from '../format/geometry.js';
import { ADD_BEYOND_EOF, ADD_OK, type ReferenceSink, type SourceKind } from './reference-source.js';

const SATURATED = 255;

export class ExpectedRefcounts implements ReferenceSink {
  /**
   * Per cluster: the count, or 255 when the exact count is in `overflow`. A growing instance
   * replaces it with a longer array as it grows (the walk, which reads it directly, never grows).
   */
  counts: Uint8Array;
  private readonly overflow = new Map<number, number>();
  private covered: number;
  /** Callers may increment a count byte directly while it is below this value (min(refcount max, 254)). */
  readonly fastLimit: number;
  private readonly cluster: ClusterSize;

  /**
   * @param fileClusterCount clusters of the file, ceil(file size / cluster size), already checked
   *   against checkLimits.fileClusterCountMax
   * @param fileSizeBytes the file's size in bytes
   * @param clusterBits log2 of the cluster size
   * @param refcountMax the largest refcount the image's width can hold
   */
  constructor(
    readonly fileClusterCount: number,
    readonly fileSizeBytes: number,
    readonly clusterBits: number,
    readonly refcountMax: number,
  ) {
    // A reference may end in the cluster just past the file's (partial) last one: one spare.
    this.counts = new Uint8Array(fileClusterCount + 1);
    this.covered = fileClusterCount;
    this.fastLimit = Math.min(refcountMax, SATURATED - 1);
    this.cluster = { clusterSizeBytes: 2 ** clusterBits };
  }

  get clusterCount(): number {
    return this.covered;
  }

  /** The exact count of references to `clusterIndex`. */
  countOf(clusterIndex: number): number {
    if (clusterIndex >= this.counts.length) return 0;
    const v = this.counts[clusterIndex];
    return v < SATURATED ? v : this.overflow.get(clusterIndex)!;
  }

  addCluster(clusterIndex: number, _kind?: SourceKind, _s?: number, _t?: number, _e?: number): number {
    if (clusterIndex >= this.fileClusterCount && !this.fitPastEnd(clusterIndex)) return ADD_BEYOND_EOF;
    const v = this.counts[clusterIndex];
    if (v < this.fastLimit) {
      this.counts[clusterIndex] = v + 1;
      return ADD_OK;
    }
    return this.increment(clusterIndex) ? ADD_OK : 1;
  }

  add(offsetBytes: number, sizeBytes: number, _kind?: SourceKind, _s?: number, _t?: number, _e?: number): number {
    if (sizeBytes <= 0) return ADD_OK;
    if (!this.grows && offsetBytes + sizeBytes - this.fileSizeBytes >= this.cluster.clusterSizeBytes) return ADD_BEYOND_EOF;
    const first = offsetToClusterIndex(this.cluster, offsetBytes);
    const last = offsetToClusterIndex(this.cluster, offsetBytes + sizeBytes - 1);
    if (last >= this.counts.length && !this.fitPastEnd(last)) throw new Error(`assertion: cluster ${last} past the expected-refcount table (${this.counts.length})`);
    if (last >= this.covered) this.covered = last + 1;
    let overflows = 0;
    for (let k = first; k <= last; k++) if (!this.increment(k)) overflows++;
    return overflows;
  }

  /** Clears every count (to walk again with the same memory). */
  reset(): void {
    this.counts.fill(0);
    this.overflow.clear();
    this.covered = this.fileClusterCount;
  }

  private increment(k: number): boolean {
    const current = this.countOf(k);
    if (current >= this.refcountMax) return false;
    const next = current + 1;
    if (next < SATURATED) this.counts[k] = next;
    else {
      this.counts[k] = SATURATED;
      this.overflow.set(k, next);
    }
    return true;
  }

  /** True for an instance made by `growing`. */
  private grows = false;

  /**
   * Counts for a repair plan: they accept every cluster (past the end of the file too, growing as
   * needed) and have no cap, so a count above the refcount width stays exact.
   * @param clusterBits log2 of the cluster size
   * @param clusterCount clusters to make room for at first; `clusterCount` never reads below it
   */
  static growing(clusterBits: number, clusterCount: number): ExpectedRefcounts {
    const counts = new ExpectedRefcounts(clusterCount, clusterCount * 2 ** clusterBits, clusterBits, Number.POSITIVE_INFINITY);
    counts.grows = true;
    return counts;
  }

  /** An independent copy, growing when this one is. */
  clone(): ExpectedRefcounts {
    const copy = new ExpectedRefcounts(this.fileClusterCount, this.fileSizeBytes, this.clusterBits, this.refcountMax);
    copy.counts = this.counts.slice();
    copy.covered = this.covered;
    copy.grows = this.grows;
    for (const [k, v] of this.overflow) copy.overflow.set(k, v);
    return copy;
  }

  /**
   * A copy of these counts for a file of `fileSizeBytes` (`fileClusterCount` clusters, at least as
   * many as this one's), covering the new file's clusters: what the walk of a larger file would
   * have counted from the same references. Not for growing instances.
   * @throws Error (assertion) when the new file is smaller, or this one covers a cluster past its file
   */
  resizedCopy(fileClusterCount: number, fileSizeBytes: number): ExpectedRefcounts {
    if (this.grows || fileClusterCount < this.fileClusterCount || this.covered > this.fileClusterCount) throw new Error('assertion: resizedCopy needs a larger file and no reference past the end');
    const copy = new ExpectedRefcounts(fileClusterCount, fileSizeBytes, this.clusterBits, this.refcountMax);
    copy.counts.set(this.counts.subarray(0, Math.min(this.counts.length, copy.counts.length)));
    for (const [k, v] of this.overflow) copy.overflow.set(k, v);
    return copy;
  }

  /**
   * Moves the exact count of `clusterIndex` by `delta` (the incremental crash judge takes the
   * references of a re-walked table out and puts the new ones in). The result may pass the
   * refcount width, which the caller checks. Returns the new count.
   * @throws Error (assertion) when the count would fall below zero or the cluster is outside the counts
   */
  shift(clusterIndex: number, delta: number): number {
    if (clusterIndex >= this.counts.length) throw new Error(`assertion: cluster ${clusterIndex} past the expected-refcount table (${this.counts.length})`);
    const next = this.countOf(clusterIndex) + delta;
    if (next < 0) throw new Error(`assertion: count of cluster ${clusterIndex} below zero`);
    if (next < SATURATED) {
      this.counts[clusterIndex] = next;
      this.overflow.delete(clusterIndex);
    } else {
      this.counts[clusterIndex] = SATURATED;
      this.overflow.set(clusterIndex, next);
    }
    return next;
  }

  /** Counts clusters below `clusterCount` as covered (a reference ended in the cluster past the file). */
  cover(clusterCount: number): void {
    if (clusterCount > this.counts.length) throw new Error(`assertion: cover ${clusterCount} past the expected-refcount table (${this.counts.length})`);
    if (clusterCount > this.covered) this.covered = clusterCount;
  }

  /** In a growing instance, makes room for `clusterIndex` and counts it as covered; false otherwise. */
  private fitPastEnd(clusterIndex: number): boolean {
    if (!this.grows) return false;
    if (clusterIndex >= this.counts.length) {
      const next = new Uint8Array(Math.max(clusterIndex + 1, this.counts.length * 2));
      next.set(this.counts);
      this.counts = next;
    }
    if (clusterIndex >= this.covered) this.covered = clusterIndex + 1;
    return true;
  }
}
