/**
 * COPIED in the active tree (L1-3, L2-2): set exactly on the entries whose cluster (or L2 table)
 * the repaired image references once. Decided from the final reference counts, after every other
 * change; snapshot tables keep their COPIED bits, which the format lets go stale.
 */
import { hex } from '../../spec/format/bounded-reader.js';
import { hasCopied, l1EntryL2ClusterIndex, withCopied } from '../../spec/format/l1-entry.js';
import { ClusterType, clusterTypeOf, l2HostClusterIndex } from '../../spec/format/l2-entry.js';
import { TableView } from '../../spec/format/table-view.js';
import type { RepairContext } from './repair-context.js';
import { repairRecord } from './repair-record.js';
import { editableTable, slotTable, type TreePlan } from './tree-plan.js';

/** Sets COPIED on the active tree's data entries per `refsOf` (references of a host cluster). */
export function normalizeL2Copied(ctx: RepairContext, active: TreePlan, refsOf: (clusterIndex: number) => number): void {
  const m = ctx.image.mapping;
  if (m.externalDataFile) return;
  const g = ctx.geometry;
  for (const slot of active.slots.values()) {
    const old = new TableView(slotTable(ctx, slot));
    const wordsPerEntry = g.l2EntrySizeBytes / 8;
    let fixed = 0;
    for (let j = 0, w = 0; j < g.l2EntryCount; j++, w += wordsPerEntry) {
      const hi = old.hi(w);
      const lo = old.lo(w);
      const type = clusterTypeOf(hi, lo, g.extendedL2, false);
      if (type !== ClusterType.normal && type !== ClusterType.zeroAlloc) continue;
      const want = refsOf(l2HostClusterIndex(hi, lo, g.clusterBits)) === 1;
      if (want === hasCopied(hi)) continue;
      new TableView(editableTable(ctx, slot)).setHalves(w, withCopied(hi, want), lo);
      fixed++;
    }
    if (fixed > 0) ctx.records.push(repairRecord('copied-flag-fixed', 'L2-2', `active L1[${slot.l1Index}] -> L2 @${hex(slot.sourceOffsetBytes)}`, `COPIED set to match the final refcount on ${fixed} entries`, { count: fixed }));
  }
}

/** Sets COPIED on the active L1 entries per `refsOf` (references of each L2 table's cluster). */
export function normalizeL1Copied(ctx: RepairContext, active: TreePlan, refsOf: (clusterIndex: number) => number): void {
  const l1 = active.l1;
  let fixed = 0;
  for (let i = 0; i < l1.wordCount; i++) {
    const hi = l1.hi(i);
    const lo = l1.lo(i);
    if ((hi | lo) === 0) continue;
    const want = refsOf(l1EntryL2ClusterIndex(hi, lo, ctx.image.clusterBits)) === 1;
    if (want === hasCopied(hi)) continue;
    l1.setHalves(i, withCopied(hi, want), lo);
    fixed++;
  }
  if (fixed > 0) ctx.records.push(repairRecord('copied-flag-fixed', 'L1-3', `active L1 table @${hex(active.l1OffsetBytes)}`, `COPIED set to match the final refcount on ${fixed} entries`, { count: fixed }));
}
