import { allocBytes } from './alloc-bytes.js';
import { assertRange, readIntoFrom, type BlockDevice, type WriteOptions } from './block-device.js';
import { PageStore } from './page-store.js';

/** Default page size of a CowDevice: 4 KiB, the usual host page. */
const COW_PAGE_SIZE_BYTES = 4096;

/**
 * CowDevice: a copy-on-write overlay over a lower device that is only ever read.
 *
 * Writes land in private pages (a page is copied up from the lower device on its first partial
 * write); the lower device never changes. After a shrink, the lower bytes past the new end stay
 * hidden even if the overlay grows again, so regrown space reads as zeros like a real file.
 * `fork()` makes a cheap independent copy that shares pages until either side writes.
 */
export class CowDevice implements BlockDevice {
  private size: number;
  /** Lower bytes at or past this offset are hidden (read as zeros). */
  private lowerVisibleBytes: number;
  /** Private pages; made on the first change, so an overlay that is only read costs nothing. */
  private pages: PageStore | undefined;
  private readonly pageSizeBytes: number;

  /**
   * @param lower the device read through; never written
   * @param opts.sizeBytes starting size (default the lower size); smaller hides the lower tail
   * @param opts.pageSizeBytes copy-up unit, a power of two
   */
  constructor(
    readonly lower: BlockDevice,
    opts: { sizeBytes?: number; pageSizeBytes?: number; store?: PageStore; lowerVisibleBytes?: number } = {},
  ) {
    this.size = opts.sizeBytes ?? lower.sizeBytes;
    assertRange(0, this.size);
    this.lowerVisibleBytes = Math.min(opts.lowerVisibleBytes ?? lower.sizeBytes, this.size);
    this.pageSizeBytes = opts.store?.pageSizeBytes ?? opts.pageSizeBytes ?? COW_PAGE_SIZE_BYTES;
    if (opts.store) this.pages = opts.store.fork((offsetBytes, target) => this.readLower(offsetBytes, target));
  }

  private get store(): PageStore {
    this.pages ??= new PageStore(this.pageSizeBytes, (offsetBytes, target) => this.readLower(offsetBytes, target));
    return this.pages;
  }

  get sizeBytes(): number {
    return this.size;
  }

  /** Pages copied up or written (a measure of how far this overlay diverged from the lower device). */
  get pageCount(): number {
    return this.pages?.pageCount ?? 0;
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    const out = allocBytes(lengthBytes);
    this.readInto(offsetBytes, out);
    return out;
  }

  readInto(offsetBytes: number, target: Uint8Array): void {
    assertRange(offsetBytes, target.length);
    const inside = Math.max(0, Math.min(target.length, this.size - offsetBytes));
    const within = inside === target.length ? target : target.subarray(0, inside);
    if (inside > 0 && this.pages) this.pages.readInto(offsetBytes, within);
    else if (inside > 0) this.readLower(offsetBytes, within);
    if (inside < target.length) target.fill(0, inside);
  }

  write(offsetBytes: number, data: Uint8Array, _opts?: WriteOptions): void {
    assertRange(offsetBytes, data.length);
    this.store.write(offsetBytes, data);
    this.size = Math.max(this.size, offsetBytes + data.length);
  }

  writeZeroes(offsetBytes: number, lengthBytes: number): void {
    assertRange(offsetBytes, lengthBytes);
    this.store.zero(offsetBytes, lengthBytes);
    this.size = Math.max(this.size, offsetBytes + lengthBytes);
  }

  discard(offsetBytes: number, lengthBytes: number): void {
    assertRange(offsetBytes, lengthBytes);
    const endBytes = Math.min(this.size, offsetBytes + lengthBytes);
    if (endBytes > offsetBytes) this.store.zero(offsetBytes, endBytes - offsetBytes);
  }

  flush(): void {}

  truncate(sizeBytes: number): void {
    assertRange(0, sizeBytes);
    if (sizeBytes < this.size) {
      this.store.cutTail(sizeBytes, this.size);
      this.lowerVisibleBytes = Math.min(this.lowerVisibleBytes, sizeBytes);
    }
    this.size = sizeBytes;
  }

  /**
   * An independent overlay with the same content over the same lower device, made in time
   * proportional to the number of pages held (no page is copied until one side writes it).
   */
  fork(): CowDevice {
    return new CowDevice(this.lower, { sizeBytes: this.size, store: this.store, lowerVisibleBytes: this.lowerVisibleBytes });
  }

  private readLower(offsetBytes: number, target: Uint8Array): void {
    const visible = Math.max(0, Math.min(target.length, this.lowerVisibleBytes - offsetBytes));
    if (visible > 0) readIntoFrom(this.lower, offsetBytes, visible === target.length ? target : target.subarray(0, visible));
    if (visible < target.length) target.fill(0, visible);
  }
}
