/**
 * The snapshot table after a rebuild: the old one when nothing about it changes, else the kept
 * entries (raw bytes, with the L1 offsets of moved L1 tables patched) in fresh clusters, or no
 * table at all when no snapshot is kept.
 */
import { joinSnapshotEntries, withSnapshotL1TableOffset } from '../../spec/format/snapshot-table.js';
import type { Extent } from '../../spec/walk/check-image-context.js';
import { stageNew, type RepairContext } from './repair-context.js';
import type { TreePlan } from './tree-plan.js';

/** Where the final snapshot table is and how many entries it has; stages a new one when needed. */
export function placeSnapshotTable(ctx: RepairContext, trees: readonly TreePlan[]): { extent: Extent; count: number } {
  const kept = ctx.snapshots.kept;
  if (!ctx.snapshotTableRewrite) return { extent: ctx.image.snapshotTable, count: ctx.image.header.snapshotCount };
  if (kept.length === 0) return { extent: { offsetBytes: 0, sizeBytes: 0 }, count: 0 };
  const table = joinSnapshotEntries(
    kept.map((s, i) => {
      const tree = trees.find((t) => t.snapshotSlot === i);
      return tree === undefined ? s.raw : withSnapshotL1TableOffset(s.raw, tree.l1FinalOffsetBytes);
    }),
  );
  return { extent: { offsetBytes: stageNew(ctx, table), sizeBytes: table.length }, count: kept.length };
}
