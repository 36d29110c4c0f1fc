/**
 * TreePlan: one L1 tree (the active image, or one kept snapshot) as the repair rebuilds it: its L1
 * table with the final entries, and one slot per L2 table it references, with the final content of
 * that table when any entry changes. Nothing is written here; the planners fill these in and the
 * write planners decide where the final tables go.
 */
import { readPadded } from '../../spec/format/byte-source.js';
import { TableView } from '../../spec/format/table-view.js';
import type { RepairContext } from './repair-context.js';

export interface L2Slot {
  l1Index: number;
  /** The old L2 table the content comes from. */
  sourceOffsetBytes: number;
  /** The final content once any entry changed; null while it equals the old table. */
  table: Uint8Array | null;
  /** Some entry's reference was dropped or redirected (not just flags). */
  refsChanged: boolean;
  /** The table's cluster belongs to something else (or to this tree twice): it must be copied. */
  mustCopy: boolean;
  /** Where the final table lives: the old offset unless it is copied. */
  finalOffsetBytes: number;
}

export interface TreePlan {
  /** -1 for the active tree, else the index in the kept snapshots. */
  snapshotSlot: number;
  /** "active" or the snapshot's label, for reports. */
  owner: string;
  l1OffsetBytes: number;
  l1EntryCount: number;
  /** The L1 table as it was (zeros past the end of the file). */
  original: Uint8Array;
  /** The final L1 table. */
  l1: TableView;
  /** The L1 table must be written elsewhere (it overlaps other metadata or lies past the end). */
  l1Relocate: boolean;
  /** Where the final L1 table lives. */
  l1FinalOffsetBytes: number;
  /** Slots by L1 index. */
  slots: Map<number, L2Slot>;
}

function treeOf(ctx: RepairContext, snapshotSlot: number, owner: string, offsetBytes: number, entryCount: number): TreePlan {
  const original = readPadded(ctx.source, offsetBytes, entryCount * 8).slice();
  return {
    snapshotSlot,
    owner,
    l1OffsetBytes: offsetBytes,
    l1EntryCount: entryCount,
    original,
    l1: new TableView(original.slice()),
    l1Relocate: false,
    l1FinalOffsetBytes: offsetBytes,
    slots: new Map(),
  };
}

/** The active tree first, then each kept snapshot's, with their L1 tables read. */
export function readTrees(ctx: RepairContext): TreePlan[] {
  const trees = [treeOf(ctx, -1, 'active', ctx.image.l1.offsetBytes, ctx.image.l1.entryCount)];
  ctx.snapshots.kept.forEach((s, i) => trees.push(treeOf(ctx, i, s.label, s.l1OffsetBytes, s.l1EntryCount)));
  return trees;
}

/** True when the tree's final L1 differs from the old one. */
export function l1Changed(tree: TreePlan): boolean {
  const a = tree.original;
  const b = tree.l1.bytes;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

/** The content of a slot's table as it stands (the final copy, else the old table). */
export function slotTable(ctx: RepairContext, slot: L2Slot): Uint8Array {
  return slot.table ?? readPadded(ctx.source, slot.sourceOffsetBytes, ctx.clusterSizeBytes);
}

/** The slot's table, copied for editing on first use. */
export function editableTable(ctx: RepairContext, slot: L2Slot): Uint8Array {
  slot.table ??= readPadded(ctx.source, slot.sourceOffsetBytes, ctx.clusterSizeBytes).slice();
  return slot.table;
}
