/**
 * Qcow2Image: the built-in engine's synchronous image, for callers that want speed (the fuzzer's
 * in-process runner); BuiltinImage puts the async Engine interface on top. Checks every request's
 * range and mode, runs it, and in writethrough mode flushes after each guest request.
 */
import { EngineError } from '../engine-error.js';
import type { SnapshotInfo } from '../engine.js';
import { writeCompressed } from './compressed-write.js';
import { markImageClean } from './dirty-bit.js';
import { discardGuest } from './discard.js';
import { flushCaches } from './flush.js';
import { readGuest } from './guest-read.js';
import { writeGuest } from './guest-write.js';
import { resizeImage } from './resize.js';
import { applySnapshot, createSnapshot, deleteSnapshot } from './snapshots.js';
import { snapshotInfo } from './snapshot-info.js';
import type { Qcow2State } from './state.js';
import { zeroizeGuest } from './zeroize.js';

export class Qcow2Image {
  /** @param onClose releases what the opener acquired (backing devices, files) */
  constructor(
    readonly state: Qcow2State,
    private readonly onClose: () => void = () => {},
  ) {}

  get virtualSizeBytes(): number {
    return this.state.g.virtualSizeBytes;
  }

  /** Guest bytes of [offsetBytes, +lengthBytes); EngineError EIO outside the virtual size. */
  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    this.checkRange(offsetBytes, lengthBytes);
    const out = new Uint8Array(lengthBytes);
    readGuest(this.state, offsetBytes, out);
    return out;
  }

  write(offsetBytes: number, data: Uint8Array, opts: { compressed?: boolean } = {}): void {
    this.checkRange(offsetBytes, data.length, true);
    if (opts.compressed) writeCompressed(this.state, offsetBytes, data);
    else writeGuest(this.state, offsetBytes, data);
    this.afterRequest();
  }

  writeZeroes(offsetBytes: number, lengthBytes: number, opts: { unmap?: boolean } = {}): void {
    this.checkRange(offsetBytes, lengthBytes, true);
    zeroizeGuest(this.state, offsetBytes, lengthBytes, opts.unmap === true);
    this.afterRequest();
  }

  discard(offsetBytes: number, lengthBytes: number): void {
    this.checkRange(offsetBytes, lengthBytes, true);
    discardGuest(this.state, offsetBytes, lengthBytes);
    this.afterRequest();
  }

  flush(): void {
    this.checkOpen();
    if (!this.state.readOnly) flushCaches(this.state);
  }

  /** Writes everything back, marks a lazy-refcounts image clean (LAZY-4) and releases the image. */
  close(): void {
    if (this.state.closed) return;
    if (!this.state.readOnly) {
      if (this.state.dirty) markImageClean(this.state); // LAZY-4: flushes everything, then clears the bit
      else flushCaches(this.state, { all: true });
    }
    this.state.closed = true;
    this.onClose();
  }

  snapshotCreate(name: string): SnapshotInfo {
    this.checkWritable();
    const info = snapshotInfo(createSnapshot(this.state, name));
    this.afterRequest();
    return info;
  }

  snapshotApply(idOrName: string): void {
    this.checkWritable();
    applySnapshot(this.state, idOrName);
    this.afterRequest();
  }

  snapshotDelete(name: string): void {
    this.checkWritable();
    deleteSnapshot(this.state, name);
    this.afterRequest();
  }

  snapshotList(): SnapshotInfo[] {
    this.checkOpen();
    return this.state.snapshots.map(snapshotInfo);
  }

  resize(newSizeBytes: number, opts: { shrink?: boolean } = {}): void {
    this.checkWritable();
    if (!Number.isSafeInteger(newSizeBytes) || newSizeBytes < 0) throw new EngineError('EINVAL', `bad size ${newSizeBytes}`);
    resizeImage(this.state, newSizeBytes, opts.shrink === true);
    this.afterRequest();
  }

  private afterRequest(): void {
    if (this.state.cacheMode === 'writethrough') flushCaches(this.state);
  }

  private checkOpen(): void {
    if (this.state.closed) throw new EngineError('EINVAL', 'image is closed');
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.state.readOnly) throw new EngineError('EROFS', 'image is open read-only');
  }

  private checkRange(offsetBytes: number, lengthBytes: number, writing = false): void {
    if (writing) this.checkWritable();
    else this.checkOpen();
    if (!Number.isSafeInteger(offsetBytes) || !Number.isSafeInteger(lengthBytes) || offsetBytes < 0 || lengthBytes < 0) {
      throw new EngineError('EINVAL', `bad request ${offsetBytes}+${lengthBytes}`);
    }
    if (offsetBytes + lengthBytes > this.state.g.virtualSizeBytes) {
      throw new EngineError('EIO', `request ${offsetBytes}+${lengthBytes} ends past the virtual size ${this.state.g.virtualSizeBytes}`);
    }
  }
}
