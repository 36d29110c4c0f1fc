import { allocBytes } from './alloc-bytes.js';
import { assertRange, type BlockDevice, type WriteOptions } from './block-device.js';
import { PageStore } from './page-store.js';

/** Default page size of a MemoryDevice: 64 KiB, one qcow2 cluster at the default cluster size. */
const MEMORY_PAGE_SIZE_BYTES = 64 * 1024;

/**
 * MemoryDevice: a sparse in-memory block device. Only pages that were written hold memory, so a
 * device of 1 TiB size costs nothing until written; zeroed or discarded whole pages are freed.
 * Flush does nothing (memory is as durable as it gets; crashes are modelled by RecordingDevice and
 * the crash-state generator, not here).
 */
export class MemoryDevice implements BlockDevice {
  private size: number;
  private readonly store: PageStore;

  /**
   * @param sizeBytes initial size (reads as zeros)
   * @param pageSizeBytes allocation unit, a power of two
   */
  constructor(sizeBytes = 0, pageSizeBytes = MEMORY_PAGE_SIZE_BYTES) {
    assertRange(0, sizeBytes);
    this.size = sizeBytes;
    this.store = new PageStore(pageSizeBytes);
  }

  /** A device holding a copy of `bytes` (tests, small images). */
  static from(bytes: Uint8Array, pageSizeBytes = MEMORY_PAGE_SIZE_BYTES): MemoryDevice {
    const dev = new MemoryDevice(0, pageSizeBytes);
    dev.write(0, bytes);
    return dev;
  }

  get sizeBytes(): number {
    return this.size;
  }

  /** Pages currently allocated (for tests of sparseness). */
  get pageCount(): number {
    return this.store.pageCount;
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    const out = allocBytes(lengthBytes);
    this.readInto(offsetBytes, out);
    return out;
  }

  readInto(offsetBytes: number, target: Uint8Array): void {
    assertRange(offsetBytes, target.length);
    const inside = Math.max(0, Math.min(target.length, this.size - offsetBytes));
    if (inside > 0) this.store.readInto(offsetBytes, inside === target.length ? target : target.subarray(0, inside));
    if (inside < target.length) target.fill(0, Math.max(inside, 0));
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
    if (sizeBytes < this.size) this.store.cutTail(sizeBytes, this.size);
    this.size = sizeBytes;
  }
}

