/** Commands that change guest data: write, write-zeroes (with or without unmap) and discard. */
import type { FuzzOp } from '../model/fuzz-op.js';
import type { FuzzRun } from '../runner/fuzz-run.js';
import { bulkBytesOf, rangeBytesOf, type BulkRangeSpec, type GuestRangeSpec } from './guest-range.js';
import { isGrowthProfile } from './image-options-arb.js';
import { OpCommand } from './op-command.js';

function rangeOf(run: FuzzRun, spec: GuestRangeSpec): { offsetBytes: number; lengthBytes: number } {
  return rangeBytesOf(spec, run.settings.options.clusterSizeBytes, run.model.virtualSizeBytes);
}

/** Writes content that names its origin (content-tag.ts). */
export class WriteCommand extends OpCommand {
  constructor(readonly spec: GuestRangeSpec) {
    super();
  }

  protected ops(run: FuzzRun): FuzzOp[] {
    return [{ kind: 'write', ...rangeOf(run, this.spec), writeId: run.takeWriteId() }];
  }

  protected describe(): string {
    return `write(${JSON.stringify(this.spec)})`;
  }
}

/** Makes a range read as zeros; with unmap, whole clusters may be deallocated. */
export class WriteZeroesCommand extends OpCommand {
  constructor(
    readonly spec: GuestRangeSpec,
    readonly unmap: boolean,
  ) {
    super();
  }

  protected ops(run: FuzzRun): FuzzOp[] {
    return [{ kind: 'write-zeroes', ...rangeOf(run, this.spec), unmap: this.unmap }];
  }

  protected describe(): string {
    return `write-zeroes(${JSON.stringify(this.spec)}, unmap=${this.unmap})`;
  }
}

/** Discards whole clusters of a range (a hint: the old data, zeros or backing data may remain). */
export class DiscardCommand extends OpCommand {
  constructor(readonly spec: GuestRangeSpec) {
    super();
  }

  protected ops(run: FuzzRun): FuzzOp[] {
    return [{ kind: 'discard', ...rangeOf(run, this.spec) }];
  }

  protected describe(): string {
    return `discard(${JSON.stringify(this.spec)})`;
  }
}

/** Writes up to 1 MiB of whole clusters at once (table growth: L1, refcount blocks, refcount table). */
export class BulkWriteCommand extends OpCommand {
  constructor(readonly spec: BulkRangeSpec) {
    super();
  }

  protected ops(run: FuzzRun): FuzzOp[] {
    const o = run.settings.options;
    return [{ kind: 'write', ...bulkBytesOf(this.spec, o.clusterSizeBytes, run.model.virtualSizeBytes, isGrowthProfile(o)), writeId: run.takeWriteId() }];
  }

  protected describe(): string {
    return `bulk-write(${JSON.stringify(this.spec)})`;
  }
}
