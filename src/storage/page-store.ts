/**
 * PageStore: a sparse map of fixed-size pages over a lower layer, shared by the in-memory and
 * copy-on-write devices.
 *
 * A page absent from the map reads from the lower layer (zeros for a memory device). A page is
 * copied before its first change unless this store owns it, so `fork()` can share pages between
 * two stores, and the shared all-zero page stands for discarded pages without allocating.
 * Offsets and lengths are in bytes; callers clip ranges to the device size first.
 */
export class PageStore {
  private readonly pages: Map<number, Uint8Array>;
  private readonly owned: Set<number>;
  /** The shared all-zero page, made on first use. */
  private zeroPageShared: Uint8Array | undefined;

  /**
   * @param pageSizeBytes page size, a power of two
   * @param readLower fills `target` with the lower layer's bytes at `offsetBytes`; omitted, the
   *   lower layer is all zeros and zeroed pages are simply forgotten (a sparse hole)
   */
  constructor(
    readonly pageSizeBytes: number,
    private readonly readLower?: (offsetBytes: number, target: Uint8Array) => void,
    pages?: Map<number, Uint8Array>,
  ) {
    if (pageSizeBytes <= 0 || (pageSizeBytes & (pageSizeBytes - 1)) !== 0) throw new RangeError(`page size ${pageSizeBytes} is not a power of two`);
    this.pages = pages ?? new Map();
    this.owned = new Set();
  }

  /** Number of pages held (shared or owned); a measure of memory use. */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Copies the bytes at `offsetBytes` into `target` (its whole length). */
  readInto(offsetBytes: number, target: Uint8Array): void {
    const p = this.pageSizeBytes;
    let done = 0;
    while (done < target.length) {
      const at = offsetBytes + done;
      const index = Math.floor(at / p);
      const inPage = at - index * p;
      const n = Math.min(p - inPage, target.length - done);
      const page = this.pages.get(index);
      if (page) target.set(page.subarray(inPage, inPage + n), done);
      else this.fillFromLower(at, target.subarray(done, done + n));
      done += n;
    }
  }

  /** Writes `data` at `offsetBytes`, copying pages in from the lower layer as needed. */
  write(offsetBytes: number, data: Uint8Array): void {
    const p = this.pageSizeBytes;
    let done = 0;
    while (done < data.length) {
      const at = offsetBytes + done;
      const index = Math.floor(at / p);
      const inPage = at - index * p;
      const n = Math.min(p - inPage, data.length - done);
      this.writablePage(index, n === p).set(data.subarray(done, done + n), inPage);
      done += n;
    }
  }

  /** Sets `lengthBytes` bytes at `offsetBytes` to zero; whole pages become the shared zero page. */
  zero(offsetBytes: number, lengthBytes: number): void {
    const p = this.pageSizeBytes;
    let done = 0;
    while (done < lengthBytes) {
      const at = offsetBytes + done;
      const index = Math.floor(at / p);
      const inPage = at - index * p;
      const n = Math.min(p - inPage, lengthBytes - done);
      if (n === p) {
        if (this.readLower) this.pages.set(index, (this.zeroPageShared ??= new Uint8Array(p)));
        else this.pages.delete(index);
        this.owned.delete(index);
      } else {
        this.writablePage(index, false).fill(0, inPage, inPage + n);
      }
      done += n;
    }
  }

  /**
   * Cuts the content at `sizeBytes` (a shrink from `oldSizeBytes`): the rest of the partial page
   * is zeroed and whole pages past it are forgotten (they read from the lower layer again, which
   * the owner must then hide). Keeps "stored bytes past the end are zero" true.
   */
  cutTail(sizeBytes: number, oldSizeBytes: number): void {
    const p = this.pageSizeBytes;
    const firstWholePage = Math.ceil(sizeBytes / p);
    const partialEnd = Math.min(firstWholePage * p, oldSizeBytes);
    if (partialEnd > sizeBytes) this.zero(sizeBytes, partialEnd - sizeBytes);
    for (const index of [...this.pages.keys()]) {
      if (index >= firstWholePage) {
        this.pages.delete(index);
        this.owned.delete(index);
      }
    }
  }

  /** A second store sharing every page; both copy a shared page before changing it. */
  fork(readLower?: (offsetBytes: number, target: Uint8Array) => void): PageStore {
    this.owned.clear();
    return new PageStore(this.pageSizeBytes, readLower, new Map(this.pages));
  }

  private writablePage(index: number, overwriteWhole: boolean): Uint8Array {
    const existing = this.pages.get(index);
    if (existing && this.owned.has(index)) return existing;
    const page = new Uint8Array(this.pageSizeBytes);
    if (existing) page.set(existing);
    else if (!overwriteWhole) this.fillFromLower(index * this.pageSizeBytes, page);
    this.pages.set(index, page);
    this.owned.add(index);
    return page;
  }

  private fillFromLower(offsetBytes: number, target: Uint8Array): void {
    if (this.readLower) this.readLower(offsetBytes, target);
    else target.fill(0);
  }
}
