/**
 * ClusterAllocator: hands out fresh host clusters for everything the repair writes (copies of data,
 * copies of tables, new L1 and snapshot tables, new refcount structures).
 *
 * It allocates only past the end of the file, and skips every cluster that any reference of the
 * image points to there (a damaged entry may point past the end): until the repair's header switch,
 * the old tables are live, and nothing they reference may change under them (MUT-16: never build
 * anything on top of a referenced cluster). Allocation is deterministic: the same image gives the
 * same layout.
 */
export class ClusterAllocator {
  private nextIndex: number;
  /** Clusters handed out, in order. */
  readonly allocated: number[] = [];

  private readonly findAvoided: () => ReadonlySet<number>;
  private avoided: ReadonlySet<number> | null = null;

  /**
   * @param fileClusterCount clusters of the file, ceil(size / cluster size): the first candidate
   * @param avoid cluster indexes past the end of the file that old references point to, or a
   *   function that finds them, called at the first allocation (a repair that allocates nothing
   *   then never pays for the reference walk behind it)
   */
  constructor(
    readonly fileClusterCount: number,
    avoid: ReadonlySet<number> | (() => ReadonlySet<number>),
  ) {
    this.nextIndex = fileClusterCount;
    this.findAvoided = typeof avoid === 'function' ? avoid : () => avoid;
  }

  /** One past the highest cluster handed out (the file's cluster count when none was). */
  get endIndex(): number {
    return this.nextIndex;
  }

  /** True when the allocator has handed out any cluster. */
  get used(): boolean {
    return this.allocated.length > 0;
  }

  /** A run of `count` consecutive free clusters; returns the first index. */
  allocRun(count: number): number {
    if (count <= 0) throw new Error(`assertion: allocating ${count} clusters`);
    let start = this.nextIndex;
    while (this.windowBlocked(start, count)) start++;
    for (let k = start; k < start + count; k++) this.allocated.push(k);
    this.nextIndex = start + count;
    return start;
  }

  private windowBlocked(start: number, count: number): boolean {
    this.avoided ??= this.findAvoided();
    for (let k = start; k < start + count; k++) if (this.avoided.has(k)) return true;
    return false;
  }
}
