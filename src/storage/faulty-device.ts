import { readIntoFrom, type BlockDevice, type WriteOptions } from './block-device.js';
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
 * that changes the file); `flush` counts flushes; `request` counts writes and flushes together.
 * Counting starts at 1 and includes failed calls. `arm` replaces the rules and counts from zero
 * again (a fault planned from a point in a run on); `disarm` heals the device.
 */
export class FaultyDevice implements BlockDevice {
  private counts: Record<FaultOpClass, number> = zeroCounts();
  private active: readonly FaultRule[] = [];
  /** Operations failed so far (InjectedFaults thrown), over every arming. */
  injectedCount = 0;

  /** @throws RangeError when a rule's nth is not a positive integer */
  constructor(
    readonly inner: BlockDevice,
    rules: readonly FaultRule[] = [],
  ) {
    this.arm(rules);
  }

  /** The rules in force. */
  get rules(): readonly FaultRule[] {
    return this.active;
  }

  /** Puts `rules` in force and counts every class from zero again. @throws RangeError for a bad nth */
  arm(rules: readonly FaultRule[]): void {
    for (const r of rules) if (!Number.isSafeInteger(r.nth) || r.nth < 1) throw new RangeError(`fault rule nth must be >= 1, got ${r.nth}`);
    this.active = rules;
    this.counts = zeroCounts();
  }

  /** No rule in force any more: every later operation reaches the inner device. */
  disarm(): void {
    this.active = [];
  }

  /** Operations seen so far per class since the last arming, failed ones included. */
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

  readInto(offsetBytes: number, target: Uint8Array): void {
    this.count('read');
    readIntoFrom(this.inner, offsetBytes, target);
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

  private count(opClass: Exclude<FaultOpClass, 'request'>): void {
    const ordinal = ++this.counts[opClass];
    const request = opClass === 'read' ? 0 : ++this.counts.request;
    for (const r of this.active) {
      const n = r.on === 'request' ? request : r.on === opClass ? ordinal : 0;
      if (n > 0 && (n === r.nth || (r.sticky === true && n > r.nth))) {
        this.injectedCount++;
        throw new InjectedFault(r.errno, r.on, n);
      }
    }
  }
}

function zeroCounts(): Record<FaultOpClass, number> {
  return { read: 0, write: 0, flush: 0, request: 0 };
}
