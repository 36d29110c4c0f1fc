/**
 * BuiltinTarget: the built-in engine driven in process over RecordingDevice(MemoryDevice), so every
 * storage operation of every guest op is known exactly and crash states cost no I/O.
 */
import { BuiltinEngine } from '../../engine/builtin/builtin-engine.js';
import type { EngineImage, ImageTarget, OpenOptions, RepairHook } from '../../engine/engine.js';
import { isEngineError } from '../../engine/engine-error.js';
import type { MutantName } from '../../engine/mutants.js';
import type { BlockDevice } from '../../storage/block-device.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { applyOps } from '../../storage/apply-op.js';
import { CowDevice } from '../../storage/cow-device.js';
import { FaultyDevice } from '../../storage/faulty-device.js';
import { MemoryDevice } from '../../storage/memory-device.js';
import { RecordingDevice } from '../../storage/recording-device.js';
import { writeContent, BACKING_WRITE_ID } from '../content/content-tag.js';
import { createOptionsOf, type FuzzImageOptions } from '../image-options.js';
import type { EioFault } from '../nemesis/eio-fault.js';
import type { EioHooks } from '../nemesis/eio-hooks.js';
import type { BackingDevice } from '../spec-view.js';
import { failureOf } from './failure-of.js';
import { fillImage, needsFill } from './fill-image.js';
import type { FuzzSession, FuzzTarget, RecoveryRun, Repairer } from './fuzz-target.js';

export interface BuiltinTargetOptions {
  mutants?: readonly MutantName[];
  /** The repair a dirty image's read-write open runs (crashcow's, when it is available). */
  repairHook?: RepairHook;
  repairers?: readonly Repairer[];
}

export class BuiltinTarget implements FuzzTarget {
  readonly engineName = 'builtin';
  readonly engine = new BuiltinEngine();
  readonly engineVersion: string;
  readonly repairers: readonly Repairer[];
  /** The storage operations of the repair hook, per state a recovery opened dirty (see sharesHookRun). */
  private readonly hookRuns = new WeakMap<BlockDevice, readonly StorageOp[]>();

  constructor(private readonly opts: BuiltinTargetOptions = {}) {
    const mutants = opts.mutants ?? [];
    this.engineVersion = this.engine.engineVersion + (mutants.length > 0 ? ` (mutants: ${mutants.join(', ')})` : '');
    this.repairers = (opts.repairers ?? []).map((r) => (this.sharesHookRun(r) ? { ...r, repair: (s: BlockDevice) => this.hookRunOr(s, r) } : r));
  }

  /**
   * True when `r` is the repair this target's dirty open runs, with the same mutants: its run on a
   * state that recover() opened dirty is the hook's run recorded there, so it is not run again.
   */
  private sharesHookRun(r: Repairer): boolean {
    const same = r.sameAsHook;
    const mutants = this.opts.mutants ?? [];
    return same !== undefined && same.hook === this.opts.repairHook && same.mutants.length === mutants.length && same.mutants.every((m, i) => m === mutants[i]);
  }

  /** The hook's recorded run on `state`, replayed over it, or `r` run anew. */
  private async hookRunOr(state: BlockDevice, r: Repairer): Promise<RecoveryRun> {
    const ops = this.hookRuns.get(state);
    if (ops === undefined) return r.repair(state);
    const device = new CowDevice(state);
    applyOps(device, ops);
    return { device, ops };
  }

  /** Open options for the session and for recoveries. */
  openOptions(cacheMode: FuzzImageOptions['cacheMode']): OpenOptions {
    return { cacheMode, mutants: this.opts.mutants, repair: this.opts.repairHook };
  }

  async startSession(options: FuzzImageOptions, contentSeed: number): Promise<FuzzSession> {
    const backing = options.backing ? await this.makeBacking(options, contentSeed) : undefined;
    const file = new MemoryDevice();
    await this.engine.create(targetOf(file, backing), { ...createOptionsOf(options), mutants: this.opts.mutants });
    if (needsFill(options)) await fillImage(await this.engine.open(targetOf(file, backing)), options, contentSeed);
    const session = new BuiltinSession(this, backing, options);
    await session.restart(file);
    return session;
  }

  async recover(state: BlockDevice, backing: BackingDevice | undefined): Promise<RecoveryRun> {
    const rec = new RecordingDevice(new CowDevice(state));
    const opts = this.openOptions('writethrough');
    const hook = opts.repair;
    // The open writes nothing before its repair hook: what the device recorded when it returns is the repair's.
    if (hook) {
      opts.repair = (device, o) => {
        const record = (): void => void this.hookRuns.set(state, rec.ops.slice());
        const done = hook(device, o);
        if (done instanceof Promise) return done.then(record);
        record();
      };
    }
    try {
      const image = await this.engine.open(targetOf(rec, backing), opts);
      await image.close();
      return { device: rec.inner, ops: rec.ops };
    } catch (err) {
      const failure = failureOf(err);
      if (isEngineError(err) && err.errno === 'EDIRTY' && !this.opts.repairHook) failure.unsupported = true;
      return { device: rec.inner, ops: rec.ops, failure };
    }
  }

  async dispose(): Promise<void> {}

  private async makeBacking(options: FuzzImageOptions, contentSeed: number): Promise<BackingDevice> {
    const b = options.backing!;
    const content = writeContent(contentSeed, BACKING_WRITE_ID, 0, b.sizeBytes);
    if (b.format === 'raw') return { device: MemoryDevice.from(content), format: 'raw' };
    const device = new MemoryDevice();
    await this.engine.create({ device }, { virtualSizeBytes: b.sizeBytes, clusterSizeBytes: options.clusterSizeBytes });
    const image = await this.engine.open({ device });
    await image.write(0, content);
    await image.close();
    return { device, format: 'qcow2' };
  }
}

/** The engine's target for a device with the run's backing file. */
function targetOf(device: BlockDevice, backing: BackingDevice | undefined): ImageTarget {
  return backing ? { device, openBacking: () => backing.device } : { device };
}

class BuiltinSession implements FuzzSession {
  image!: EngineImage;
  segmentBase!: BlockDevice;
  private rec!: RecordingDevice;
  /** Between the engine and the recording: a failed request never reaches the recording (nor the file). */
  private faulty!: FaultyDevice;
  /** Injected failures of the session's earlier segments (each segment has its own FaultyDevice). */
  private failuresBefore = 0;
  readonly eio: EioHooks = {
    arming: 'now',
    exactFailures: true,
    canArmAt: (op) => op.kind !== 'crash',
    arm: (f: EioFault) => this.faulty.arm([{ on: 'request', nth: f.request, errno: f.errno, sticky: f.mode === 'dead' }]),
    failures: () => this.failuresBefore + this.faulty.injectedCount,
  };

  constructor(
    private readonly target: BuiltinTarget,
    readonly backing: BackingDevice | undefined,
    private readonly options: FuzzImageOptions,
  ) {}

  get opCount(): number {
    return this.rec.ops.length;
  }

  ops() {
    return this.rec.ops;
  }

  current(): BlockDevice {
    return this.rec;
  }

  async sync(): Promise<void> {}

  async reopen(): Promise<void> {
    try {
      await this.image.close();
    } finally {
      this.faulty.disarm(); // an armed fault lasts until the close (P6)
    }
    this.image = await this.open();
  }

  async restart(device: BlockDevice): Promise<void> {
    this.segmentBase = MemoryDevice.from(device.read(0, device.sizeBytes));
    this.rec = new RecordingDevice(new CowDevice(this.segmentBase));
    if (this.faulty) this.failuresBefore += this.faulty.injectedCount;
    this.faulty = new FaultyDevice(this.rec);
    this.image = await this.open();
  }

  async dispose(): Promise<void> {
    try {
      await this.image.close();
    } catch {
      // a session may end on an image a failed op left unusable; nothing is kept from it
    }
  }

  private open(): Promise<EngineImage> {
    return this.target.engine.open(targetOf(this.faulty, this.backing), this.target.openOptions(this.options.cacheMode));
  }
}
