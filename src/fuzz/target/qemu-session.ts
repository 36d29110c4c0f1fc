/**
 * QemuSession: the run's image open in qemu-io over blklogwrites. Each segment (from the start, or
 * from a recovered crash state) has its own log; the session reads it back after every op. A
 * crash kills qemu-io (nothing is closed or flushed) before the next segment starts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QemuEngine } from '../../engine/qemu/qemu-engine.js';
import { QemuImage } from '../../engine/qemu/qemu-image.js';
import type { QemuIoProcess } from '../../engine/qemu/qemu-io-process.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { MemoryDevice } from '../../storage/memory-device.js';
import type { FuzzImageOptions } from '../image-options.js';
import type { BackingDevice } from '../spec-view.js';
import type { FuzzSession } from './fuzz-target.js';
import { LogReader } from './log-reader.js';

const IMAGE = 'image.qcow2';
const LOG = 'image.log';

export class QemuSession implements FuzzSession {
  image!: QemuImage;
  segmentBase!: BlockDevice;
  private io: QemuIoProcess | null = null;
  private reader!: LogReader;

  constructor(
    private readonly engine: QemuEngine,
    private readonly dir: string,
    readonly backing: BackingDevice | undefined,
    private readonly options: FuzzImageOptions,
  ) {}

  get opCount(): number {
    return this.reader.ops.length;
  }

  ops() {
    return this.reader.ops;
  }

  current(): BlockDevice {
    return MemoryDevice.from(readFileSync(join(this.dir, IMAGE)));
  }

  async sync(): Promise<void> {
    this.reader.sync();
  }

  async reopen(): Promise<void> {
    await this.image.close();
    this.image = await QemuImage.open(this.io!, { ...this.image.openSpec, logAppend: true }, this.image.virtualSizeBytes, false);
  }

  async restart(device: BlockDevice): Promise<void> {
    await this.io?.kill();
    const bytes = device.read(0, device.sizeBytes);
    writeFileSync(join(this.dir, IMAGE), bytes);
    writeFileSync(join(this.dir, LOG), new Uint8Array(0));
    this.segmentBase = MemoryDevice.from(bytes);
    this.reader = new LogReader(join(this.dir, LOG), bytes.length);
    const sizeBytes = Number(new DataView(bytes.buffer, bytes.byteOffset + 24, 8).getBigUint64(0));
    const opened = await this.engine.openSpec({ imagePath: IMAGE, logPath: LOG, cacheMode: this.options.cacheMode }, sizeBytes, this.dir);
    this.image = opened.image;
    this.io = opened.io;
  }

  async dispose(): Promise<void> {
    await this.io?.kill();
    this.io = null;
  }
}
