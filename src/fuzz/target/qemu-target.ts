/**
 * QemuTarget: QEMU driven through qemu-io and qemu-img over blklogwrites, so every storage
 * operation of every guest op is read back from the log (decoded with src/storage's
 * dm-log-writes codec). Crash states come from those logs through the same generator as the
 * built-in engine's. Recovery is a read-write open and close in a long-lived qemu-io; the separate
 * repairs are crashcow's `check -r all` and `qemu-img check -r all` (over blklogwrites too).
 * Everything lives in one temporary directory, removed by dispose().
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import { QemuEngine, qemuTempDir } from '../../engine/qemu/qemu-engine.js';
import { openInQemuIo } from '../../engine/qemu/qemu-io-open.js';
import { QemuIoProcess } from '../../engine/qemu/qemu-io-process.js';
import { isQemuMissingError } from '../../engine/qemu/qemu-missing-error.js';
import { runQemuImg } from '../../engine/qemu/qemu-img-run.js';
import { imageOptsOf, type QemuOpenSpec } from '../../engine/qemu/qemu-open-spec.js';
import { throwIfFailed } from '../../engine/qemu/qemu-output.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { MemoryDevice } from '../../storage/memory-device.js';
import { BACKING_WRITE_ID, writeContent } from '../content/content-tag.js';
import { BACKING_FILE_NAME, createOptionsOf, type FuzzImageOptions } from '../image-options.js';
import type { BackingDevice } from '../spec-view.js';
import { failureOf } from './failure-of.js';
import { fillImage, needsFill } from './fill-image.js';
import type { FuzzSession, FuzzTarget, RecoveryRun, Repairer } from './fuzz-target.js';
import { LogReader } from './log-reader.js';
import { qemuCacheSizesOf } from './qemu-cache-sizes.js';
import { QemuSession } from './qemu-session.js';
import { SetupError } from './setup-error.js';

/** What qemu-img check said on stdout when it said nothing on stderr: its ERROR, Warning and Repairing lines, else its report squeezed on one line. */
function errorLinesOf(stdout: string): string {
  const lines = stdout.split('\n').filter((l) => /^(ERROR|Warning|Repairing)/.test(l.trim()));
  return lines.length > 0 ? lines.slice(0, 5).join(' / ') : stdout.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** P5 on `qemu-img check -r all` for one group of crash states in this many (a process per state). */
const QEMU_IMG_P5_STRIDE = 4;

export class QemuTarget implements FuzzTarget {
  readonly engineName = 'qemu';
  readonly opaqueRecovery = true;
  readonly repairers: readonly Repairer[];
  private recoveryIo: QemuIoProcess | null = null;
  private session: QemuSession | null = null;
  /** The cache options of the last run's image, which its recoveries and repairs open with too. */
  private cacheSizes: ReturnType<typeof qemuCacheSizesOf> = {};
  /** The backing file the directory holds now (the last run's, unless a recovery asked for another). */
  private writtenBacking: BackingDevice | undefined;

  readonly damageRepairers: readonly Repairer[];

  private constructor(
    readonly engine: QemuEngine,
    readonly dir: string,
    repairers: readonly Repairer[],
  ) {
    const qemuImg: Repairer = { name: 'qemu-img check -r all', repair: (s) => this.qemuImgRepair(s), p5Stride: QEMU_IMG_P5_STRIDE, opaque: true };
    this.repairers = [...repairers, qemuImg];
    this.damageRepairers = [qemuImg];
  }

  get engineVersion(): string {
    return this.engine.engineVersion;
  }

  get qemuBinaries(): QemuBinaries {
    return this.engine.binaries;
  }

  /**
   * QEMU as `opts.qemu` runs it (default: CRASHCOW_QEMU_DIR, else PATH).
   * @throws SetupError when qemu-io or qemu-img is missing or unusable
   */
  static async create(opts: { repairers: readonly Repairer[]; qemu?: QemuBinaries }): Promise<QemuTarget> {
    try {
      return new QemuTarget(await QemuEngine.create(opts.qemu), qemuTempDir(), opts.repairers);
    } catch (err) {
      if (isQemuMissingError(err)) throw new SetupError(err.message);
      throw err;
    }
  }

  async startSession(options: FuzzImageOptions, contentSeed: number): Promise<FuzzSession> {
    await this.session?.dispose();
    const backing = options.backing ? await this.makeBacking(options, contentSeed) : undefined;
    if (backing) this.writtenBacking = backing;
    this.cacheSizes = qemuCacheSizesOf(options);
    const image = join(this.dir, 'image.qcow2');
    await this.engine.create({ path: image }, createOptionsOf(options));
    if (needsFill(options)) await fillImage(await this.engine.open({ path: image }), options, contentSeed);
    this.session = new QemuSession(this.engine, this.dir, backing, options);
    await this.session.restart(MemoryDevice.from(readFileSync(image)));
    return this.session;
  }

  async recover(state: BlockDevice, backing: BackingDevice | undefined): Promise<RecoveryRun> {
    this.useBacking(backing);
    const spec = this.scratch('recover', state, 'writethrough');
    this.recoveryIo ??= await QemuIoProcess.start(this.engine.binaries, this.dir);
    const reader = new LogReader(join(this.dir, spec.logPath!), state.sizeBytes);
    try {
      await openInQemuIo(this.recoveryIo, spec);
      throwIfFailed('close', await this.recoveryIo.command('close'));
      reader.sync();
      return { device: this.fileDevice(spec.imagePath), ops: reader.ops };
    } catch (err) {
      await this.recoveryIo.command('close').catch(() => undefined);
      reader.sync();
      return { device: this.fileDevice(spec.imagePath), ops: reader.ops, failure: failureOf(err) };
    }
  }

  async dispose(): Promise<void> {
    await this.session?.dispose();
    this.session = null;
    await this.recoveryIo?.quit();
    this.recoveryIo = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Makes the directory's backing file hold `backing`: a recorded crash is judged again after later
   * runs wrote their own backing files (finalizing a shrunk failure). The separate repairs run
   * after the engine's recovery of the same state, so they find it in place too.
   */
  private useBacking(backing: BackingDevice | undefined): void {
    if (backing === undefined || backing === this.writtenBacking) return;
    writeFileSync(join(this.dir, BACKING_FILE_NAME), backing.device.read(0, backing.device.sizeBytes));
    this.writtenBacking = backing;
  }

  /** `qemu-img check -r all` over blklogwrites on a copy of the state. */
  private async qemuImgRepair(state: BlockDevice): Promise<RecoveryRun> {
    const spec = this.scratch('repair', state, 'writethrough');
    const reader = new LogReader(join(this.dir, spec.logPath!), state.sizeBytes);
    const r = await runQemuImg(this.engine.binaries.img, ['check', '-r', 'all', '--output=json', '--image-opts', imageOptsOf(spec)], this.dir);
    reader.sync();
    const said = r.stderr.trim() !== '' || r.exitCode === 0 ? r.stderr.trim() : errorLinesOf(r.stdout);
    const run: RecoveryRun = { device: this.fileDevice(spec.imagePath), ops: reader.ops, outcome: { exitCode: r.exitCode, message: said } };
    if (r.exitCode !== 0 && r.exitCode !== 2 && r.exitCode !== 3) run.failure = { message: `exit ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`, rule: 'CHK-1' };
    return run;
  }

  /** Writes the state as NAME.qcow2 with an empty NAME.log and returns the open spec. */
  private scratch(name: string, state: BlockDevice, cacheMode: QemuOpenSpec['cacheMode']): QemuOpenSpec {
    const spec: QemuOpenSpec = { imagePath: `${name}.qcow2`, logPath: `${name}.log`, cacheMode, ...this.cacheSizes };
    writeFileSync(join(this.dir, spec.imagePath), state.read(0, state.sizeBytes));
    writeFileSync(join(this.dir, spec.logPath!), new Uint8Array(0));
    return spec;
  }

  private fileDevice(name: string): BlockDevice {
    return MemoryDevice.from(readFileSync(join(this.dir, name)));
  }

  private async makeBacking(options: FuzzImageOptions, contentSeed: number): Promise<BackingDevice> {
    const b = options.backing!;
    const path = join(this.dir, BACKING_FILE_NAME);
    const content = writeContent(contentSeed, BACKING_WRITE_ID, 0, b.sizeBytes);
    if (b.format === 'raw') writeFileSync(path, content);
    else {
      await this.engine.create({ path }, { virtualSizeBytes: b.sizeBytes, clusterSizeBytes: options.clusterSizeBytes });
      const image = await this.engine.open({ path });
      await image.write(0, content);
      await image.close();
    }
    return { device: MemoryDevice.from(readFileSync(path)), format: b.format };
  }
}
