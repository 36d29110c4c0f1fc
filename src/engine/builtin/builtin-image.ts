/**
 * BuiltinImage: the async EngineImage over the synchronous Qcow2Image. Each call runs to completion
 * synchronously; errors come back as rejected promises.
 */
import type { EngineImage, SnapshotInfo } from '../engine.js';
import type { Qcow2Image } from './qcow2-image.js';

export class BuiltinImage implements EngineImage {
  constructor(readonly sync: Qcow2Image) {}

  get virtualSizeBytes(): number {
    return this.sync.virtualSizeBytes;
  }

  async read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    return this.sync.read(offsetBytes, lengthBytes);
  }

  async write(offsetBytes: number, data: Uint8Array, opts?: { compressed?: boolean }): Promise<void> {
    this.sync.write(offsetBytes, data, opts);
  }

  async writeZeroes(offsetBytes: number, lengthBytes: number, opts?: { unmap?: boolean }): Promise<void> {
    this.sync.writeZeroes(offsetBytes, lengthBytes, opts);
  }

  async discard(offsetBytes: number, lengthBytes: number): Promise<void> {
    this.sync.discard(offsetBytes, lengthBytes);
  }

  async flush(): Promise<void> {
    this.sync.flush();
  }

  async close(): Promise<void> {
    this.sync.close();
  }

  async snapshotCreate(name: string): Promise<SnapshotInfo> {
    return this.sync.snapshotCreate(name);
  }

  async snapshotApply(idOrName: string): Promise<void> {
    this.sync.snapshotApply(idOrName);
  }

  async snapshotDelete(name: string): Promise<void> {
    this.sync.snapshotDelete(name);
  }

  async snapshotList(): Promise<SnapshotInfo[]> {
    return this.sync.snapshotList();
  }

  async resize(newSizeBytes: number, opts?: { shrink?: boolean }): Promise<void> {
    this.sync.resize(newSizeBytes, opts);
  }
}
