/**
 * The guest model used to *generate* scripts: guest bytes per offset and, per cluster, whether QEMU
 * holds a host cluster for it (which decides whether `write -c` may succeed). Follows QEMU 7.2's
 * semantics for discard (whole clusters; none on v2 with a backing file), write -z (aligned: zero
 * flags, -u frees; v2 without backing discards) and snapshots. Clusters whose allocation state the
 * model cannot predict are marked uncertain and never get compressed writes.
 */
const enum Alloc {
  none = 0,
  data = 1,
  compressed = 2,
  uncertain = 3,
}

export class GuestModel {
  content: Uint8Array;
  alloc: Uint8Array;
  readonly snapshots: Array<{ name: string; content: Uint8Array; alloc: Uint8Array }> = [];

  constructor(
    sizeBytes: number,
    private readonly backingBytes: Uint8Array | undefined,
    readonly clusterSizeBytes: number,
    readonly v3: boolean,
  ) {
    this.content = new Uint8Array(sizeBytes);
    if (backingBytes) this.content.set(backingBytes.subarray(0, sizeBytes));
    this.alloc = new Uint8Array(sizeBytes / clusterSizeBytes);
  }

  get sizeBytes(): number {
    return this.content.length;
  }

  write(off: number, len: number, pattern: number): void {
    this.content.fill(pattern, off, off + len);
    this.mark(off, len, Alloc.data);
  }

  /** `write -z [-u]` over a subcluster-aligned range. */
  writeZeroes(off: number, len: number, unmap: boolean, subclusterSizeBytes: number): void {
    const cs = this.clusterSizeBytes;
    this.content.fill(0, off, off + len);
    if (!this.v3) return this.backingBytes ? this.mark(off, len, Alloc.data) : this.wholeClusters(off, len, () => Alloc.none);
    for (let c = Math.floor(off / cs); c * cs < off + len; c++) {
      const whole = c * cs >= off && (c + 1) * cs <= off + len;
      if (whole) this.alloc[c] = this.alloc[c] === Alloc.compressed || (unmap && this.alloc[c] === Alloc.data) ? Alloc.none : this.alloc[c];
      else if (this.alloc[c] === Alloc.compressed || this.alloc[c] === Alloc.uncertain) this.mark(off, len, Alloc.uncertain);
    }
    void subclusterSizeBytes;
  }

  /** `write -z` over an unaligned range: QEMU may zeroize or write zeros, so allocation is unknown. */
  writeZeroesUnaligned(off: number, len: number): void {
    this.content.fill(0, off, off + len);
    this.mark(off, len, Alloc.uncertain);
  }

  discard(off: number, len: number): void {
    if (!this.v3 && this.backingBytes) return;
    this.wholeClusters(off, len, () => Alloc.none, true);
  }

  /** Whether `write -c` of cluster `c` succeeds in QEMU, or undefined when unknown. */
  compressible(c: number): boolean | undefined {
    if (this.alloc[c] === Alloc.uncertain) return undefined;
    return this.alloc[c] === Alloc.none;
  }

  writeCompressed(c: number, pattern: number, zstd: boolean): void {
    const cs = this.clusterSizeBytes;
    this.content.fill(pattern, c * cs, (c + 1) * cs);
    this.alloc[c] = zstd ? Alloc.uncertain : Alloc.compressed;
  }

  /** Length of the run of equal bytes at `off`, at most `maxLen`. */
  uniformRun(off: number, maxLen: number): number {
    const b = this.content[off];
    let n = 1;
    while (n < maxLen && off + n < this.content.length && this.content[off + n] === b) n++;
    return n;
  }

  snapshotCreate(name: string): void {
    this.snapshots.push({ name, content: this.content.slice(), alloc: this.alloc.slice() });
  }

  snapshotApply(name: string): void {
    const sn = this.snapshots.find((s) => s.name === name);
    if (!sn) return;
    this.content = sn.content.slice();
    this.alloc = sn.alloc.slice();
  }

  snapshotDelete(name: string): void {
    const i = this.snapshots.findIndex((s) => s.name === name);
    if (i >= 0) this.snapshots.splice(i, 1);
  }

  resize(sizeBytes: number): void {
    const content = new Uint8Array(sizeBytes);
    content.set(this.content.subarray(0, sizeBytes));
    const alloc = new Uint8Array(sizeBytes / this.clusterSizeBytes);
    alloc.set(this.alloc.subarray(0, alloc.length));
    this.content = content;
    this.alloc = alloc;
  }

  private mark(off: number, len: number, a: Alloc): void {
    const cs = this.clusterSizeBytes;
    for (let c = Math.floor(off / cs); c * cs < off + len; c++) this.alloc[c] = a;
  }

  private wholeClusters(off: number, len: number, next: () => Alloc, zeroContent = false): void {
    const cs = this.clusterSizeBytes;
    for (let c = Math.ceil(off / cs); (c + 1) * cs <= off + len; c++) {
      this.alloc[c] = next();
      if (zeroContent) this.content.fill(0, c * cs, (c + 1) * cs);
    }
  }
}
