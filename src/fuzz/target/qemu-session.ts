/**
 * QemuSession: the run's image open in qemu-io over blklogwrites. Each segment (from the start, or
 * from a recovered crash state) has its own log; the session reads it back after every op. A
 * crash kills qemu-io (nothing is closed or flushed) before the next segment starts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineImage } from '../../engine/engine.js';
import { EngineError } from '../../engine/engine-error.js';
import { blkdebugConfig } from '../../engine/qemu/blkdebug-config.js';
import type { QemuEngine } from '../../engine/qemu/qemu-engine.js';
import { QemuImage } from '../../engine/qemu/qemu-image.js';
import type { QemuIoProcess } from '../../engine/qemu/qemu-io-process.js';
import { openCommandOf } from '../../engine/qemu/qemu-open-spec.js';
import { throwIfFailed } from '../../engine/qemu/qemu-output.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { MemoryDevice } from '../../storage/memory-device.js';
import type { FuzzImageOptions } from '../image-options.js';
import type { EioFault } from '../nemesis/eio-fault.js';
import type { EioHooks } from '../nemesis/eio-hooks.js';
import type { BackingDevice } from '../spec-view.js';
import type { FuzzSession } from './fuzz-target.js';
import { LogReader } from './log-reader.js';
import { qemuCacheSizesOf } from './qemu-cache-sizes.js';

const IMAGE = 'image.qcow2';
const LOG = 'image.log';
/** The blkdebug rules of an armed I/O-error fault (read by the next open only). */
const FAULT_CONFIG = 'fault.ini';

/** An armed fault in the open that read its rules: from which log entry it counts. */
interface ArmedFault {
  fault: EioFault;
  logStart: number;
}

export class QemuSession implements FuzzSession {
  private qemuImage!: QemuImage;
  segmentBase!: BlockDevice;
  private io: QemuIoProcess | null = null;
  private reader!: LogReader;
  /** The fault the next reopen arms (its rules are in FAULT_CONFIG). */
  private pendingFault: EioFault | null = null;
  /** The fault armed in the image's current open, until it is closed. */
  private armed: ArmedFault | null = null;
  /** True once the log showed an armed fault's failing write was issued (see failures()). */
  private knownFired = false;

  /**
   * QEMU reads blkdebug rules when it opens the image: a fault is armed by the reopen a run puts
   * right before its operation, and lasts until the image is closed.
   */
  readonly eio: EioHooks = {
    arming: 'at-open',
    exactFailures: false,
    canArmAt: (op) => op.kind === 'write' || op.kind === 'write-zeroes' || op.kind === 'discard' || op.kind === 'flush' || op.kind === 'reopen',
    arm: (f) => {
      writeFileSync(join(this.dir, FAULT_CONFIG), blkdebugConfig({ event: f.event ?? 'pwritev', request: f.request, errno: f.errno, mode: f.mode, iotype: f.iotype ?? 'write' }));
      this.pendingFault = f;
    },
    failures: () => (this.sawFailingWrite() ? 1 : null),
  };

  /**
   * The image as the run drives it: QEMU's, except that while a fault is armed a flush that did not
   * reach the file fails (qemu-io prints nothing when a flush fails: blklogwrites logs a flush
   * once the file's flush returned, so a flush after logged writes that logs none failed).
   */
  get image(): EngineImage {
    const image = this.qemuImage;
    if (this.armed === null) return image;
    return {
      get virtualSizeBytes() {
        return image.virtualSizeBytes;
      },
      read: (o, n) => image.read(o, n),
      write: (o, d, opts) => image.write(o, d, opts),
      writeZeroes: (o, n, opts) => image.writeZeroes(o, n, opts),
      discard: (o, n) => image.discard(o, n),
      flush: async () => {
        await image.flush();
        this.reader.sync();
        if (this.writesSinceFlush() > 0) throw new EngineError('EIO', 'qemu-io flush: no flush reached the file after the writes before it (qemu-io prints nothing for a failed flush)');
      },
      close: () => image.close(),
      snapshotCreate: (name) => image.snapshotCreate(name),
      snapshotApply: (name) => image.snapshotApply(name),
      snapshotDelete: (name) => image.snapshotDelete(name),
      snapshotList: () => image.snapshotList(),
      resize: (size, opts) => image.resize(size, opts),
    };
  }

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
    this.sawFailingWrite();
    this.armed = null;
    await this.qemuImage.close();
    const spec = { ...this.qemuImage.openSpec, logAppend: true };
    const fault = this.pendingFault;
    if (fault === null) {
      this.qemuImage = await QemuImage.open(this.io!, spec, this.qemuImage.virtualSizeBytes, false);
      return;
    }
    this.pendingFault = null;
    // Opened with the fault's rules; later opens (qemu-img's too) use the spec without them.
    const cmd = openCommandOf({ ...spec, blkdebugConfig: FAULT_CONFIG });
    throwIfFailed(cmd, await this.io!.command(cmd));
    this.qemuImage = new QemuImage(this.io!, spec, this.qemuImage.virtualSizeBytes, false);
    this.reader.sync();
    this.armed = { fault, logStart: this.reader.ops.length };
    // The rules live until this open ends: a snapshot or resize closes it before qemu-img runs.
    this.qemuImage.onClosed = () => {
      this.sawFailingWrite();
      this.armed = null;
    };
  }

  async restart(device: BlockDevice): Promise<void> {
    this.sawFailingWrite();
    this.armed = null;
    await this.io?.kill();
    const bytes = device.read(0, device.sizeBytes);
    writeFileSync(join(this.dir, IMAGE), bytes);
    writeFileSync(join(this.dir, LOG), new Uint8Array(0));
    this.segmentBase = MemoryDevice.from(bytes);
    this.reader = new LogReader(join(this.dir, LOG), bytes.length);
    const sizeBytes = Number(new DataView(bytes.buffer, bytes.byteOffset + 24, 8).getBigUint64(0));
    const opened = await this.engine.openSpec({ imagePath: IMAGE, logPath: LOG, cacheMode: this.options.cacheMode, ...qemuCacheSizesOf(this.options) }, sizeBytes, this.dir);
    this.qemuImage = opened.image;
    this.io = opened.io;
  }

  /**
   * True once the log shows that the armed fault's failing write was issued: counting `pwritev`
   * for a failing write, the n-th write never reaches the log, so n writes logged since the arming
   * mean it was issued and a later one followed. Other faults cannot be told from the log.
   */
  private sawFailingWrite(): boolean {
    const a = this.armed;
    if (this.knownFired || a === null || (a.fault.event ?? 'pwritev') !== 'pwritev' || a.fault.iotype === 'flush') return this.knownFired;
    this.reader.sync();
    let writes = 0;
    for (let i = a.logStart; i < this.reader.ops.length; i++) if (this.reader.ops[i].kind === 'write' || this.reader.ops[i].kind === 'zeroes') writes++;
    this.knownFired = writes >= a.fault.request;
    return this.knownFired;
  }

  /** Writes (and zero writes) the log holds after its last flush. */
  private writesSinceFlush(): number {
    let n = 0;
    for (let i = this.reader.ops.length - 1; i >= 0 && this.reader.ops[i].kind !== 'flush'; i--) if (this.reader.ops[i].kind !== 'discard') n++;
    return n;
  }

  async dispose(): Promise<void> {
    await this.io?.kill();
    this.io = null;
  }
}
