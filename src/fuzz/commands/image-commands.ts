/**
 * Commands on the image as a whole: flush, close and reopen, resize, and the nemesis' crash.
 * Resize runs only without a backing file (growth over backing data is left to the backing-aware
 * zeroing QEMU does, which the model does not need to guess) and not on v2 images with snapshots.
 */
import { SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import type { FuzzOp } from '../model/fuzz-op.js';
import type { FuzzRun } from '../runner/fuzz-run.js';
import { OpCommand } from './op-command.js';

export class FlushCommand extends OpCommand {
  protected ops(): FuzzOp[] {
    return [{ kind: 'flush' }];
  }

  protected describe(): string {
    return 'flush';
  }
}

/** Close (a clean close: everything flushed, dirty bit cleared) and open again. */
export class ReopenCommand extends OpCommand {
  protected ops(): FuzzOp[] {
    return [{ kind: 'reopen' }];
  }

  protected describe(): string {
    return 'reopen';
  }
}

/** The nemesis: a crash, judged on every crash state of the recording so far. */
export class CrashCommand extends OpCommand {
  protected ops(): FuzzOp[] {
    return [{ kind: 'crash' }];
  }

  protected describe(): string {
    return 'crash';
  }
}

/** Resizes to `eighths`/8 of the size the run started with, minus `sectorsLess` sectors. */
export class ResizeCommand extends OpCommand {
  constructor(
    readonly eighths: number,
    readonly sectorsLess: number,
  ) {
    super();
  }

  protected override allowed(run: Readonly<FuzzRun>): boolean {
    const o = run.settings.options;
    return o.backing === null && (o.compat === '1.1' || run.model.snapshots.size === 0);
  }

  protected ops(run: FuzzRun): FuzzOp[] {
    const start = run.settings.options.virtualSizeBytes;
    const sizeBytes = Math.max(SECTOR_SIZE_BYTES, Math.floor((start * this.eighths) / 8 / SECTOR_SIZE_BYTES - this.sectorsLess) * SECTOR_SIZE_BYTES);
    return [{ kind: 'resize', sizeBytes }];
  }

  protected describe(): string {
    return `resize(${this.eighths}/8 - ${this.sectorsLess} sectors)`;
  }
}
