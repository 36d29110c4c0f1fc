/**
 * QemuImage: an image open in a qemu-io process. Guest I/O goes through qemu-io commands (writes
 * take their bytes from a scratch file with `write -s`); snapshots and resizes close the image in
 * qemu-io, run qemu-img on it (over the same blklogwrites log when there is one) and open it again,
 * as a user of qemu-img would.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineImage, SnapshotInfo } from '../engine.js';
import { EngineError } from '../engine-error.js';
import { runQemuImg } from './qemu-img-run.js';
import type { QemuIoProcess } from './qemu-io-process.js';
import { openInQemuIo } from './qemu-io-open.js';
import { imageOptsOf, type QemuOpenSpec } from './qemu-open-spec.js';
import { parseHexDump, throwIfFailed } from './qemu-output.js';

/** Scratch file (in the process's directory) holding the bytes of the next write. */
const WRITE_FILE = '.crashcow-write.bin';

export class QemuImage implements EngineImage {
  private closed = false;
  /** Called once qemu-io has closed the image (also the close before an offline qemu-img step), failed or not. */
  onClosed: (() => void) | null = null;

  /**
   * @param spec how the image is open now; later opens append to its log
   * @param ownsProcess quit the process on close (images from QemuEngine.open)
   */
  constructor(
    private readonly io: QemuIoProcess,
    private spec: QemuOpenSpec,
    public virtualSizeBytes: number,
    private readonly ownsProcess: boolean,
  ) {}

  /** Opens `spec` in `io` and returns the image. @throws EngineError when qemu-io cannot open it */
  static async open(io: QemuIoProcess, spec: QemuOpenSpec, virtualSizeBytes: number, ownsProcess: boolean): Promise<QemuImage> {
    await openInQemuIo(io, spec);
    return new QemuImage(io, spec, virtualSizeBytes, ownsProcess);
  }

  async read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    const out = await this.io.command(`read -v ${offsetBytes} ${lengthBytes}`);
    if (/read failed: /.test(out)) throwIfFailed('read', out);
    return parseHexDump(out, lengthBytes);
  }

  async write(offsetBytes: number, data: Uint8Array, opts?: { compressed?: boolean }): Promise<void> {
    writeFileSync(join(this.io.cwd, WRITE_FILE), data);
    await this.run(`write -q ${opts?.compressed ? '-c ' : ''}-s ${WRITE_FILE} ${offsetBytes} ${data.length}`);
  }

  async writeZeroes(offsetBytes: number, lengthBytes: number, opts?: { unmap?: boolean }): Promise<void> {
    await this.run(`write -q -z ${opts?.unmap ? '-u ' : ''}${offsetBytes} ${lengthBytes}`);
  }

  async discard(offsetBytes: number, lengthBytes: number): Promise<void> {
    await this.run(`discard -q ${offsetBytes} ${lengthBytes}`);
  }

  async flush(): Promise<void> {
    await this.run('flush');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeInIo();
    if (this.ownsProcess) await this.io.quit();
  }

  async snapshotCreate(name: string): Promise<SnapshotInfo> {
    await this.offline(['snapshot', '-c', name]);
    return { id: '', name, vmStateSizeBytes: 0, dateSeconds: 0, dateNanoseconds: 0, vmClockNanoseconds: 0 };
  }

  async snapshotApply(idOrName: string): Promise<void> {
    await this.offline(['snapshot', '-a', idOrName]);
  }

  async snapshotDelete(name: string): Promise<void> {
    await this.offline(['snapshot', '-d', name]);
  }

  async snapshotList(): Promise<SnapshotInfo[]> {
    const r = await this.offline(['info', '--output=json']);
    const info = JSON.parse(r) as { snapshots?: Array<Record<string, number | string>> };
    return (info.snapshots ?? []).map((s) => ({
      id: String(s.id),
      name: String(s.name),
      vmStateSizeBytes: Number(s['vm-state-size'] ?? 0),
      dateSeconds: Number(s['date-sec'] ?? 0),
      dateNanoseconds: Number(s['date-nsec'] ?? 0),
      vmClockNanoseconds: Number(s['vm-clock-sec'] ?? 0) * 1e9 + Number(s['vm-clock-nsec'] ?? 0),
    }));
  }

  async resize(newSizeBytes: number, opts?: { shrink?: boolean }): Promise<void> {
    await this.offline(['resize', ...(opts?.shrink ? ['--shrink'] : []), '--image-opts', '@', String(newSizeBytes)]);
    this.virtualSizeBytes = newSizeBytes;
  }

  /** The spec the next open uses. */
  get openSpec(): QemuOpenSpec {
    return this.spec;
  }

  private async closeInIo(): Promise<void> {
    try {
      await this.run('close');
    } finally {
      this.onClosed?.();
    }
  }

  private async run(cmd: string): Promise<void> {
    if (this.closed && cmd !== 'close') throw new EngineError('EINVAL', 'image is closed');
    throwIfFailed(cmd, await this.io.command(cmd));
  }

  /**
   * Closes the image in qemu-io, runs qemu-img with `args` on it (an "@" argument, or the end of
   * the list, takes `--image-opts OPTS`), and opens it again; returns qemu-img's stdout.
   */
  private async offline(args: string[]): Promise<string> {
    await this.closeInIo();
    this.spec = { ...this.spec, logAppend: this.spec.logPath !== undefined };
    const opts = imageOptsOf(this.spec);
    const full = args.includes('@') ? args.map((a) => (a === '@' ? opts : a)) : [...args, '--image-opts', opts];
    const r = await runQemuImg(this.io.binaries.img, full, this.io.cwd);
    await openInQemuIo(this.io, this.spec);
    if (r.exitCode !== 0) throw new EngineError(/not found|does not exist/i.test(r.stderr) ? 'ENOENT' : 'EIO', `qemu-img ${args[0]}: ${r.stderr.trim()}`);
    return r.stdout;
  }
}
