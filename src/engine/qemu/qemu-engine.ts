/**
 * QemuEngine: QEMU as an Engine: images are created with qemu-img and opened in a qemu-io process
 * (interactive: commands on stdin, output up to the next prompt). Works on files only; the
 * fuzzer's QEMU target also opens images over blklogwrites through `openSpec`.
 */
import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CreateOptions, Engine, EngineImage, ImageTarget, OpenOptions } from '../engine.js';
import { EngineError } from '../engine-error.js';
import { resolveQemuBinaries, type QemuBinaries } from './qemu-binaries.js';
import { runQemuImg } from './qemu-img-run.js';
import { QemuImage } from './qemu-image.js';
import { QemuIoProcess } from './qemu-io-process.js';
import type { QemuOpenSpec } from './qemu-open-spec.js';

export class QemuEngine implements Engine {
  readonly name = 'qemu';

  /** "qemu-io 7.2.22 (Debian ...)": the binaries' version line without the word "version". */
  readonly engineVersion: string;

  private constructor(readonly binaries: QemuBinaries) {
    this.engineVersion = binaries.versionLine.replace(/^qemu-io version /, 'qemu-io ');
  }

  /**
   * QEMU as `binaries` runs it; without them, qemu-io and qemu-img are found in CRASHCOW_QEMU_DIR,
   * else on PATH, and their version is read. @throws QemuMissingError
   */
  static async create(binaries?: QemuBinaries): Promise<QemuEngine> {
    return new QemuEngine(binaries ?? (await resolveQemuBinaries()));
  }

  async create(target: ImageTarget, opts: CreateOptions): Promise<void> {
    const path = pathOf(target);
    const o = [`cluster_size=${opts.clusterSizeBytes ?? 65536}`, `compat=${opts.compat ?? '1.1'}`];
    if ((opts.compat ?? '1.1') === '1.1') {
      o.push(`refcount_bits=${opts.refcountBits ?? 16}`, `lazy_refcounts=${opts.lazyRefcounts ? 'on' : 'off'}`, `extended_l2=${opts.extendedL2 ? 'on' : 'off'}`);
      if (opts.compressionType) o.push(`compression_type=${opts.compressionType}`);
    }
    const args = ['create', '-q', '-f', 'qcow2', '-o', o.join(',')];
    if (opts.backingFile) args.push('-b', opts.backingFile, '-F', opts.backingFormat ?? 'raw');
    args.push(path);
    if (opts.virtualSizeBytes !== undefined) args.push(String(opts.virtualSizeBytes));
    const r = await runQemuImg(this.binaries.img, args, dirname(resolve(path)));
    if (r.exitCode !== 0) throw new EngineError('EINVAL', `qemu-img create: ${r.stderr.trim()}`);
  }

  async open(target: ImageTarget, opts: OpenOptions = {}): Promise<EngineImage> {
    const path = resolve(pathOf(target));
    const info = await runQemuImg(this.binaries.img, ['info', '--output=json', '-U', path]);
    if (info.exitCode !== 0) throw new EngineError('EIO', `qemu-img info: ${info.stderr.trim()}`);
    const size = Number((JSON.parse(info.stdout) as { 'virtual-size': number })['virtual-size']);
    const io = await QemuIoProcess.start(this.binaries, dirname(path));
    try {
      return await QemuImage.open(io, { imagePath: path, cacheMode: opts.cacheMode ?? 'writethrough', readOnly: opts.readOnly }, size, true);
    } catch (err) {
      await io.kill();
      throw err;
    }
  }

  /** Opens an image as `spec` says (blklogwrites included) in a new qemu-io process running in `cwd`. */
  async openSpec(spec: QemuOpenSpec, virtualSizeBytes: number, cwd: string): Promise<{ image: QemuImage; io: QemuIoProcess }> {
    const io = await QemuIoProcess.start(this.binaries, cwd);
    try {
      return { image: await QemuImage.open(io, spec, virtualSizeBytes, false), io };
    } catch (err) {
      await io.kill();
      throw err;
    }
  }
}

function pathOf(target: ImageTarget): string {
  if (!('path' in target)) throw new EngineError('ENOTSUP', 'the QEMU engine works on files, not in-memory devices');
  return target.path;
}

/** Memory-backed scratch space on Linux. */
export const SHARED_MEMORY_DIR = '/dev/shm';

/**
 * A fresh temporary directory for QEMU's files: under $TMPDIR when the user set it, else in
 * shared memory where there is one, else the system's temporary directory. QEMU flushes the
 * image and the blklogwrites log after each write of a repair; on a disk each flush costs a
 * real sync, and the fuzzer runs thousands of repairs. The crash states come from the log,
 * never from the host file system's own durability, so nothing is lost by skipping the disk.
 */
export function qemuTempDir(env: NodeJS.ProcessEnv = process.env): string {
  return mkdtempSync(join(scratchRoot(env), 'crashcow-qemu-'));
}

function scratchRoot(env: NodeJS.ProcessEnv): string {
  if (env.TMPDIR) return env.TMPDIR;
  try {
    accessSync(SHARED_MEMORY_DIR, constants.W_OK);
    return statSync(SHARED_MEMORY_DIR).isDirectory() ? SHARED_MEMORY_DIR : tmpdir();
  } catch {
    return tmpdir();
  }
}
