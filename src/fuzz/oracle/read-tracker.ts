import { readIntoFrom, type BlockDevice } from '../../storage/block-device.js';

/**
 * ReadTracker: a read-only device that passes reads through and notes whether any read touched one
 * of the `watched` sectors (ascending sector indexes of `sectorSizeBytes`). The crash judge watches
 * the sectors in which states of one group differ: a recovery or check that never read them must
 * behave the same on every state of the group.
 */
export class ReadTracker implements BlockDevice {
  /** True once a read overlapped a watched sector. */
  touched = false;

  constructor(
    private readonly inner: BlockDevice,
    private readonly watched: Float64Array,
    private readonly sectorSizeBytes: number,
  ) {}

  get sizeBytes(): number {
    return this.inner.sizeBytes;
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    this.note(offsetBytes, lengthBytes);
    return this.inner.read(offsetBytes, lengthBytes);
  }

  readInto(offsetBytes: number, target: Uint8Array): void {
    this.note(offsetBytes, target.length);
    readIntoFrom(this.inner, offsetBytes, target);
  }

  write(): void {
    throw new Error('ReadTracker is read-only');
  }

  writeZeroes(): void {
    throw new Error('ReadTracker is read-only');
  }

  discard(): void {
    throw new Error('ReadTracker is read-only');
  }

  flush(): void {}

  truncate(): void {
    throw new Error('ReadTracker is read-only');
  }

  private note(offsetBytes: number, lengthBytes: number): void {
    if (this.touched || lengthBytes <= 0 || this.watched.length === 0) return;
    const first = Math.floor(offsetBytes / this.sectorSizeBytes);
    const last = Math.floor((offsetBytes + lengthBytes - 1) / this.sectorSizeBytes);
    let lo = 0;
    let hi = this.watched.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.watched[mid] < first) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.watched.length && this.watched[lo] <= last) this.touched = true;
  }
}
