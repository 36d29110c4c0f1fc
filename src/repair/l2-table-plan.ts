/**
 * Pass 2 of a tree: every entry of every L2 table the tree references, decided by planL2Entry. A
 * table whose entries change gets a final copy in its slot; the old table is never touched here.
 */
import { entryIndexesToGuestOffset } from '../../spec/format/guest-offset.js';
import { TableView } from '../../spec/format/table-view.js';
import { EntryChange, planL2Entry, type EntryAt, type EntryWords } from './l2-entry-plan.js';
import type { RepairContext } from './repair-context.js';
import { editableTable, slotTable, type L2Slot, type TreePlan } from './tree-plan.js';

/** Decides every L2 entry of `tree`. Data claims start afresh for each tree. */
export function planL2Tables(ctx: RepairContext, tree: TreePlan): void {
  ctx.claims.nextTree();
  const slots = [...tree.slots.values()].sort((a, b) => a.l1Index - b.l1Index);
  for (const slot of slots) planL2Table(ctx, tree, slot);
}

function planL2Table(ctx: RepairContext, tree: TreePlan, slot: L2Slot): void {
  const g = ctx.geometry;
  const old = new TableView(slotTable(ctx, slot));
  const wordsPerEntry = g.l2EntrySizeBytes / 8;
  const e: EntryWords = { hi: 0, lo: 0, bhi: 0, blo: 0 };
  const at: EntryAt = { tree, slot, entryIndex: 0, guestOffsetBytes: 0 };
  for (let j = 0, w = 0; j < g.l2EntryCount; j++, w += wordsPerEntry) {
    e.hi = old.hi(w);
    e.lo = old.lo(w);
    e.bhi = g.extendedL2 ? old.hi(w + 1) : 0;
    e.blo = g.extendedL2 ? old.lo(w + 1) : 0;
    if ((e.hi | e.lo | e.bhi | e.blo) === 0) continue;
    at.entryIndex = j;
    at.guestOffsetBytes = entryIndexesToGuestOffset(g, slot.l1Index, j);
    const change = planL2Entry(ctx, at, e);
    if (change === EntryChange.none) continue;
    if (change === EntryChange.refs) slot.refsChanged = true;
    writeEntry(new TableView(editableTable(ctx, slot)), w, e, g.extendedL2);
  }
}

/** Writes an entry's words into a table, its descriptor at word `w` (and, with extended L2, its bitmap after it). */
function writeEntry(table: TableView, w: number, e: EntryWords, extendedL2: boolean): void {
  table.setHalves(w, e.hi, e.lo);
  if (extendedL2) table.setHalves(w + 1, e.bhi, e.blo);
}
