/**
 * Snapshot commands: create, apply (revert to) and delete an internal snapshot. Each is wrapped in
 * flushes so that the snapshot holds durable data and the op itself is durable before the next one
 * (QEMU runs them with the image closed, which flushes too). Apply and delete pick an existing
 * snapshot by index when they run.
 */
import { SNAPSHOT_COUNT_MAX, snapshotsAllowed } from '../image-options.js';
import type { FuzzOp } from '../model/fuzz-op.js';
import type { FuzzRun } from '../runner/fuzz-run.js';
import { OpCommand } from './op-command.js';

type SnapshotAction = 'create' | 'apply' | 'delete';

export class SnapshotCommand extends OpCommand {
  constructor(
    readonly action: SnapshotAction,
    readonly index: number,
  ) {
    super();
  }

  protected override allowed(run: Readonly<FuzzRun>): boolean {
    if (!snapshotsAllowed(run.settings.options)) return false;
    const count = run.model.snapshots.size;
    // The fill's snapshots (large profile) do not count against the run's own.
    return this.action === 'create' ? count < SNAPSHOT_COUNT_MAX + (run.settings.options.fillSnapshots ?? 0) : count > 0;
  }

  protected ops(run: FuzzRun): FuzzOp[] {
    const names = [...run.model.snapshots.keys()];
    const op: FuzzOp =
      this.action === 'create'
        ? { kind: 'snapshot-create', name: run.takeSnapshotName() }
        : { kind: this.action === 'apply' ? 'snapshot-apply' : 'snapshot-delete', name: names[this.index % names.length] };
    return [{ kind: 'flush' }, op, { kind: 'flush' }];
  }

  protected describe(): string {
    return `snapshot-${this.action}(${this.index})`;
  }
}
