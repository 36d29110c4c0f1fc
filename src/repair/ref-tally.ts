/**
 * RefTally: the number of references each host cluster will have once the repair is done, counted
 * as the plan decides each reference. Grows with the clusters the repair allocates past the end of
 * the file. One byte per cluster (exact below 255), an overflow map above, like the walk's
 * ExpectedRefcounts; unlike it, never refuses a cluster (the plan only counts references it keeps).
 */
const SATURATED = 255;

export class RefTally {
  private counts: Uint8Array;
  private readonly overflow = new Map<number, number>();
  /** One past the highest cluster counted so far. */
  private endIndex = 0;

  /** @param clusterCount clusters to reserve room for (it grows past this when needed) */
  constructor(clusterCount: number) {
    this.counts = new Uint8Array(Math.max(16, clusterCount));
  }

  /** One past the highest cluster index with a reference. */
  get clusterEnd(): number {
    return this.endIndex;
  }

  /** References to `clusterIndex`. */
  countOf(clusterIndex: number): number {
    if (clusterIndex >= this.counts.length) return 0;
    const v = this.counts[clusterIndex];
    return v < SATURATED ? v : this.overflow.get(clusterIndex)!;
  }

  /** Adds `n` references (default 1) to one cluster. */
  addCluster(clusterIndex: number, n = 1): void {
    if (clusterIndex >= this.counts.length) this.grow(clusterIndex + 1);
    const next = this.countOf(clusterIndex) + n;
    if (next < SATURATED) this.counts[clusterIndex] = next;
    else {
      this.counts[clusterIndex] = SATURATED;
      this.overflow.set(clusterIndex, next);
    }
    if (clusterIndex >= this.endIndex) this.endIndex = clusterIndex + 1;
  }

  /** Adds one reference to every cluster [offsetBytes, offsetBytes + sizeBytes) touches. */
  addRange(offsetBytes: number, sizeBytes: number, clusterSizeBytes: number): void {
    if (sizeBytes <= 0) return;
    const first = Math.floor(offsetBytes / clusterSizeBytes);
    const last = Math.floor((offsetBytes + sizeBytes - 1) / clusterSizeBytes);
    for (let k = first; k <= last; k++) this.addCluster(k);
  }

  /** An independent copy. */
  clone(): RefTally {
    const copy = new RefTally(0);
    copy.counts = this.counts.slice();
    for (const [k, v] of this.overflow) copy.overflow.set(k, v);
    copy.endIndex = this.endIndex;
    return copy;
  }

  private grow(minLength: number): void {
    const next = new Uint8Array(Math.max(minLength, this.counts.length * 2));
    next.set(this.counts);
    this.counts = next;
  }
}
