/** Commands that change guest data: write, write-zeroes (with or without unmap) and discard. */
import { clusterCountToSize, clusterIndexToOffset, offsetToClusterStart, sizeToClusterCount } from '../../../spec/format/geometry.js';
import { clusterGeometryOf } from '../model/cluster-geometry.js';
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

/**
 * Frees then reuses: discards the whole clusters the run's last write touched (rounded out to
 * clusters, at most DISCARD_LAST_WRITE_CLUSTERS_MAX of them), then writes `spec`. Where that
 * write allocates, the allocator may hand out a cluster just freed while the unlink may not be on
 * disk yet (ORD-2, MUT-15's window). A discard drawn at random seldom covers a whole allocated
 * cluster, and seldom right before an allocating write.
 */
export class DiscardLastWriteCommand extends OpCommand {
  constructor(readonly spec: GuestRangeSpec) {
    super();
  }

  protected override allowed(run: Readonly<FuzzRun>): boolean {
    return lastWrite(run) !== undefined;
  }

  protected ops(run: FuzzRun): FuzzOp[] {
    const last = lastWrite(run)!;
    const g = clusterGeometryOf(run.settings.options.clusterSizeBytes);
    const offsetBytes = offsetToClusterStart(g, last.offsetBytes);
    const lastEnd = clusterCountToSize(g, sizeToClusterCount(g, last.offsetBytes + last.lengthBytes));
    const end = Math.min(lastEnd, offsetBytes + clusterIndexToOffset(g, DISCARD_LAST_WRITE_CLUSTERS_MAX), run.model.virtualSizeBytes);
    const write: FuzzOp = { kind: 'write', ...rangeOf(run, this.spec), writeId: run.takeWriteId() };
    return end > offsetBytes ? [{ kind: 'discard', offsetBytes, lengthBytes: end - offsetBytes }, write] : [write];
  }

  protected describe(): string {
    return `discard-last-write-then-write(${JSON.stringify(this.spec)})`;
  }
}

/**
 * Clusters a DiscardLastWriteCommand frees at most: every cluster of an ordinary write (three and
 * a part at most), only the start of a bulk one (freeing thousands of 512-byte clusters of the
 * growth profile would put thousands of crash points into one epoch, and each crash there, and
 * the shrinking of its failures, would judge states across all of them).
 */
export const DISCARD_LAST_WRITE_CLUSTERS_MAX = 4;

function lastWrite(run: Readonly<FuzzRun>): Extract<FuzzOp, { kind: 'write' }> | undefined {
  for (let i = run.history.length - 1; i >= 0; i--) {
    const op = run.history[i];
    if (op.kind === 'write') return op;
  }
  return undefined;
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
