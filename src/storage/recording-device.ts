import type { StorageOp } from '../../spec/semantics/storage-contract.js';
import type { BlockDevice, WriteOptions } from './block-device.js';

/** The operations of one flush epoch: those after the previous flush, up to and including its flush. */
export interface FlushEpoch {
  /** Index in the recording of the epoch's first operation. */
  firstOpIndex: number;
  ops: readonly StorageOp[];
  /** False for the last epoch when no flush has ended it yet. */
  flushed: boolean;
}

/**
 * RecordingDevice: passes every operation to an inner device and, once the operation completed,
 * logs it (with a copy of written data and the size after it) in completion order.
 *
 * An operation that throws is not logged: the fault layer fails operations before they touch the
 * device, so there is nothing to record. Reads are not logged (they change nothing).
 */
export class RecordingDevice implements BlockDevice {
  private readonly log: StorageOp[] = [];
  /** Size of the inner device when recording started, in bytes. */
  readonly startSizeBytes: number;

  constructor(readonly inner: BlockDevice) {
    this.startSizeBytes = inner.sizeBytes;
  }

  get sizeBytes(): number {
    return this.inner.sizeBytes;
  }

  /** Every logged operation, oldest first. */
  get ops(): readonly StorageOp[] {
    return this.log;
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    return this.inner.read(offsetBytes, lengthBytes);
  }

  write(offsetBytes: number, data: Uint8Array, opts?: WriteOptions): void {
    const copy = data.slice();
    this.inner.write(offsetBytes, copy, opts);
    this.append({ kind: 'write', offsetBytes, lengthBytes: copy.length, data: copy, fua: opts?.fua === true });
  }

  writeZeroes(offsetBytes: number, lengthBytes: number): void {
    this.inner.writeZeroes(offsetBytes, lengthBytes);
    this.append({ kind: 'zeroes', offsetBytes, lengthBytes, fua: false });
  }

  discard(offsetBytes: number, lengthBytes: number): void {
    this.inner.discard(offsetBytes, lengthBytes);
    this.append({ kind: 'discard', offsetBytes, lengthBytes, fua: false });
  }

  flush(): void {
    this.inner.flush();
    this.append({ kind: 'flush', offsetBytes: 0, lengthBytes: 0, fua: false });
  }

  truncate(sizeBytes: number): void {
    this.inner.truncate(sizeBytes);
    this.append({ kind: 'truncate', offsetBytes: sizeBytes, lengthBytes: 0, fua: false });
  }

  /** The log split into flush epochs; the last one is unflushed unless the log ends with a flush. */
  epochs(): FlushEpoch[] {
    const out: FlushEpoch[] = [];
    let first = 0;
    for (let i = 0; i < this.log.length; i++) {
      if (this.log[i].kind !== 'flush') continue;
      out.push({ firstOpIndex: first, ops: this.log.slice(first, i + 1), flushed: true });
      first = i + 1;
    }
    if (first < this.log.length) out.push({ firstOpIndex: first, ops: this.log.slice(first), flushed: false });
    return out;
  }

  /** File size after each logged operation, in bytes, starting with the size before the first. */
  sizesBytes(): number[] {
    return [this.startSizeBytes, ...this.log.map((op) => op.sizeBytesAfter)];
  }

  private append(op: Omit<StorageOp, 'sizeBytesAfter'>): void {
    this.log.push({ ...op, sizeBytesAfter: this.inner.sizeBytes });
  }
}
