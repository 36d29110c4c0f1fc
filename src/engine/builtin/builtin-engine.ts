/**
 * The built-in engine: crashcow's own qcow2 implementation over any BlockDevice (or a file path).
 *
 * Takes a device or path; gives images that follow QEMU's declared metadata write ordering (ORD-*,
 * LAZY-*) unless a mutant is switched on. Never imports src/check: its metadata logic is its own,
 * built on the spec/format codecs. A dirty image opened read-write goes through the injected repair
 * hook first (FEAT-1, LAZY-5); without one the open fails.
 */
import { closeSync, openSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { incompatibleBits } from '../../../spec/format/feature-bits.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { FileDevice } from '../../storage/file-device.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { CreateOptions, Engine, EngineImage, ImageTarget, OpenOptions } from '../engine.js';
import { EngineError } from '../engine-error.js';
import { openBackingChain, type BackingResolver } from './backing.js';
import { BuiltinImage } from './builtin-image.js';
import { createImage } from './create-image.js';
import { checkCreateOptions } from './create-options.js';
import { openState, type StateOptions } from './open-image.js';
import { Qcow2Image } from './qcow2-image.js';
import { resizeImage } from './resize.js';

/** The built-in engine's version, as its engineVersion reports it after "crashcow-builtin ". */
export const BUILTIN_ENGINE_VERSION = '0.1.0';

/** Settings that are not per-open: snapshot clock and cache sizes. */
type BuiltinEngineSettings = Pick<StateOptions, 'clock' | 'l2CacheTables' | 'refblockCacheTables'>;

interface Opened {
  device: BlockDevice;
  resolve: BackingResolver | undefined;
  release: () => void;
}

/** The Engine over the built-in implementation; one instance may create and open any number of images. */
export class BuiltinEngine implements Engine {
  readonly name = 'builtin';
  readonly engineVersion = `crashcow-builtin ${BUILTIN_ENGINE_VERSION}`;

  constructor(private readonly settings: BuiltinEngineSettings = {}) {}

  async create(target: ImageTarget, opts: CreateOptions): Promise<void> {
    this.createSync(target, opts);
  }

  async open(target: ImageTarget, opts: OpenOptions = {}): Promise<EngineImage> {
    const t = attach(target, opts.readOnly === true);
    try {
      if (needsRepair(t.device, opts)) await runRepair(t.device, opts);
      return new BuiltinImage(this.openAttached(t, opts));
    } catch (err) {
      t.release();
      throw err;
    }
  }

  /** `create` without the Promise (the in-process fuzzer's fast path). Same errors. */
  createSync(target: ImageTarget, opts: CreateOptions): void {
    checkCreateOptions(opts);
    if (opts.virtualSizeBytes === undefined && opts.backingFile === undefined) throw new EngineError('EINVAL', 'image creation needs a size parameter');
    if ('path' in target) closeSync(openSync(target.path, 'w'));
    const t = attach(target, false);
    try {
      createSync(t, opts, this.settings);
    } finally {
      t.release();
    }
  }

  /**
   * `open` without the Promise, giving the synchronous image. A dirty image needs a repair hook that
   * completes synchronously; one returning a Promise throws EngineError EINVAL.
   */
  openSync(target: ImageTarget, opts: OpenOptions = {}): Qcow2Image {
    const t = attach(target, opts.readOnly === true);
    try {
      if (needsRepair(t.device, opts) && runRepair(t.device, opts) instanceof Promise) {
        throw new EngineError('EINVAL', 'openSync needs a synchronous repair hook');
      }
      return this.openAttached(t, opts);
    } catch (err) {
      t.release();
      throw err;
    }
  }

  private openAttached(t: Opened, opts: OpenOptions): Qcow2Image {
    const backing = openBackingChain(t.device, t.resolve);
    const state = openState(t.device, { ...this.settings, readOnly: opts.readOnly, cacheMode: opts.cacheMode, mutants: opts.mutants, backing });
    return new Qcow2Image(state, t.release);
  }
}

/** A read-write open of a dirty image (FEAT-1) must repair it first (LAZY-5). */
function needsRepair(device: BlockDevice, opts: OpenOptions): boolean {
  const dirty = (readImageMeta(toByteSource(device)).header.incompatibleFeatures & incompatibleBits.dirty) !== 0n;
  return dirty && opts.readOnly !== true;
}

/** Calls the injected repair hook; throws EngineError EDIRTY naming FEAT-1/LAZY-5 without one. */
function runRepair(device: BlockDevice, opts: OpenOptions): void | Promise<void> {
  if (!opts.repair) {
    throw new EngineError('EDIRTY', 'FEAT-1/LAZY-5: the image is dirty (lazy refcounts not written back); a read-write open must repair it first and was given no repair hook: run `crashcow check -r all IMAGE` to repair it, or open it read-only');
  }
  return opts.repair(device, { mutants: opts.mutants ?? [] });
}

/** Creates an image on an attached target and sets its size (from the options or the backing file). */
function createSync(t: Opened, opts: CreateOptions, settings: BuiltinEngineSettings): void {
  createImage(t.device, opts);
  let sizeBytes = opts.virtualSizeBytes;
  if (sizeBytes === undefined && opts.backingFile !== undefined) sizeBytes = openBackingChain(t.device, t.resolve)?.virtualSizeBytes;
  if (sizeBytes === undefined) throw new EngineError('EINVAL', 'image creation needs a size parameter');
  const state = openState(t.device, { ...settings, cacheMode: 'writeback', mutants: opts.mutants });
  const image = new Qcow2Image(state);
  resizeImage(state, Math.ceil(sizeBytes / 512) * 512, false);
  image.close();
}

/** The device behind a target, a resolver for backing names, and what to close afterwards. */
function attach(target: ImageTarget, readOnly: boolean): Opened {
  if ('device' in target) return { device: target.device, resolve: target.openBacking, release: () => {} };
  const opened: FileDevice[] = [];
  const device = new FileDevice(target.path, { readonly: readOnly });
  opened.push(device);
  const resolve = (name: string): BlockDevice => {
    const backing = new FileDevice(isAbsolute(name) ? name : join(dirname(target.path), name), { readonly: true });
    opened.push(backing);
    return backing;
  };
  return { device, resolve, release: () => opened.forEach((d) => d.close()) };
}
