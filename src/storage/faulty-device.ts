import type { BlockDevice, WriteOptions } from './block-device.js';
import { InjectedFault, type FaultOpClass, type InjectedErrno } from './injected-fault.js';

/** One planned fault: fail the `nth` operation (1-based) of a class with `errno`. */
export interface FaultRule {
  on: FaultOpClass;
  nth: number;
  errno: InjectedErrno;
  /** Keep failing every later operation of the class too (a dead disk), not only the nth. */
  sticky?: boolean;
}

/**
 * FaultyDevice: wraps a device and throws InjectedFault on planned operations. A failing operation
 * throws before it reaches the inner device, so it has no effect at all.
 *
 * Classes: `read` counts reads; `write` counts write, writeZeroes, discard and truncate (everything
 * that changes the file); `flush` counts flushes. Counting starts at 1 and includes failed calls.
 */
export class FaultyDevice implements BlockDevice {
  private readonly counts: Record<FaultOpClass, number> = { read: 0, write: 0, flush: 0 };

  /** @throws RangeError when a rule's nth is not a positive integer */
  constructor(
    readonly inner: BlockDevice,
    readonly rules: readonly FaultRule[],
  ) {
    for (const r of rules) if (!Number.isSafeInteger(r.nth) || r.nth < 1) throw new RangeError(`fault rule nth must be >= 1, got ${r.nth}`);
  }

  /** Operations seen so far per class, failed ones included. */
  get opCounts(): Readonly<Record<FaultOpClass, number>> {
    return { ...this.counts };
  }

  get sizeBytes(): number {
    return this.inner.sizeBytes;
  }

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    this.count('read');
    return this.inner.read(offsetBytes, lengthBytes);
  }

  write(offsetBytes: number, data: Uint8Array, opts?: WriteOptions): void {
    this.count('write');
    this.inner.write(offsetBytes, data, opts);
  }

  writeZeroes(offsetBytes: number, lengthBytes: number): void {
    this.count('write');
    this.inner.writeZeroes(offsetBytes, lengthBytes);
  }

  discard(offsetBytes: number, lengthBytes: number): void {
    this.count('write');
    this.inner.discard(offsetBytes, lengthBytes);
  }

  flush(): void {
    this.count('flush');
    this.inner.flush();
  }

  truncate(sizeBytes: number): void {
    this.count('write');
    this.inner.truncate(sizeBytes);
  }

  private count(opClass: FaultOpClass): void {
    const ordinal = ++this.counts[opClass];
    for (const r of this.rules) {
      if (r.on === opClass && (ordinal === r.nth || (r.sticky === true && ordinal > r.nth))) {
        throw new InjectedFault(r.errno, opClass, ordinal);
      }
    }
  }
}
