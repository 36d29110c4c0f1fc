/**
 * TableCache: cluster-sized metadata tables (L2 tables, refcount blocks) held in memory and written
 * back on flush or eviction, with the write ordering *declared* the way QEMU's qcow2 cache does it:
 *
 * - `setDependency(dep)`: before this cache writes any entry, `dep` must have been written and the
 *   device flushed (e.g. ORD-1: L2 after refcount blocks; ORD-2: refcount blocks after L2).
 * - `dependsOnFlush()`: before this cache writes its next entry, the device must be flushed (ORD-3).
 *
 * Entries are written in offset order. Eviction is least-recently-used. A table whose cluster is
 * freed must be dropped with `discard` so a stale copy never lands on a reused cluster.
 */
import type { BlockDevice } from '../../storage/block-device.js';

interface Entry {
  bytes: Uint8Array;
  dirty: boolean;
}

export class TableCache {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<number, Entry>();
  private dependency: TableCache | undefined;
  private flushFirst = false;
  private dirtyCount = 0;

  /**
   * @param name "l2" or "refblock", for diagnostics
   * @param device where tables are read from and written to
   * @param tableSizeBytes size of one table (one cluster)
   * @param capacity number of tables held, at least 2
   */
  constructor(
    readonly name: string,
    private readonly device: BlockDevice,
    readonly tableSizeBytes: number,
    readonly capacity: number,
  ) {
    if (capacity < 2) throw new RangeError(`table cache ${name} needs room for 2 tables, got ${capacity}`);
  }

  /** The table at `offsetBytes`, read from the device on a miss. Modify it, then call markDirty. */
  get(offsetBytes: number): Uint8Array {
    const hit = this.entries.get(offsetBytes);
    if (hit) {
      this.entries.delete(offsetBytes);
      this.entries.set(offsetBytes, hit);
      return hit.bytes;
    }
    return this.insert(offsetBytes, this.device.read(offsetBytes, this.tableSizeBytes), false);
  }

  /** A new all-zero table at `offsetBytes` (a freshly allocated cluster), already dirty. */
  getEmpty(offsetBytes: number): Uint8Array {
    this.discard(offsetBytes);
    this.dirtyCount++;
    return this.insert(offsetBytes, new Uint8Array(this.tableSizeBytes), true);
  }

  /** Records that the cached table at `offsetBytes` changed. */
  markDirty(offsetBytes: number): void {
    const e = this.entries.get(offsetBytes);
    if (!e) throw new Error(`${this.name} cache: markDirty on uncached table @${offsetBytes}`);
    if (!e.dirty) this.dirtyCount++;
    e.dirty = true;
  }

  /** True when the table is cached (tests, diagnostics). */
  has(offsetBytes: number): boolean {
    return this.entries.has(offsetBytes);
  }

  /** True when some cached table still has to be written. */
  get hasDirty(): boolean {
    return this.dirtyCount > 0;
  }

  /** Drops a table without writing it (its cluster was freed). */
  discard(offsetBytes: number): void {
    const e = this.entries.get(offsetBytes);
    if (e?.dirty) this.dirtyCount--;
    this.entries.delete(offsetBytes);
  }

  /**
   * Declares that `dep` must be written and flushed before this cache writes again. Pending
   * dependencies that would form a cycle or be replaced are resolved (flushed) first, as in QEMU.
   */
  setDependency(dep: TableCache): void {
    if (dep.dependency) dep.flushDependency();
    if (this.dependency && this.dependency !== dep) this.flushDependency();
    this.dependency = dep;
  }

  /** Declares that the device must be flushed before this cache writes its next table. */
  dependsOnFlush(): void {
    this.flushFirst = true;
  }

  /** Writes every dirty table (honouring the declared ordering), without a device flush. */
  write(): void {
    if (this.dirtyCount === 0) return;
    const dirty = [...this.entries.entries()].filter(([, e]) => e.dirty).sort((a, b) => a[0] - b[0]);
    for (const [offset, e] of dirty) this.writeEntry(offset, e);
  }

  /** Writes every dirty table, then flushes the device. */
  flush(): void {
    this.write();
    this.device.flush();
  }

  private insert(offsetBytes: number, bytes: Uint8Array, dirty: boolean): Uint8Array {
    while (this.entries.size >= this.capacity) this.evictOne();
    this.entries.set(offsetBytes, { bytes, dirty });
    return bytes;
  }

  private evictOne(): void {
    const [offset, e] = this.entries.entries().next().value as [number, Entry];
    if (e.dirty) this.writeEntry(offset, e);
    this.entries.delete(offset);
  }

  private writeEntry(offsetBytes: number, e: Entry): void {
    if (this.dependency) this.flushDependency();
    else if (this.flushFirst) {
      this.device.flush();
      this.flushFirst = false;
    }
    this.device.write(offsetBytes, e.bytes);
    if (e.dirty) this.dirtyCount--;
    e.dirty = false;
  }

  /**
   * Flushes the dependency, and only once that succeeded forgets it: a write or flush that fails
   * (an I/O error) must not drop the ordering, or the next write of this cache would overtake it.
   */
  private flushDependency(): void {
    this.dependency?.flush();
    this.dependency = undefined;
    this.flushFirst = false;
  }
}
