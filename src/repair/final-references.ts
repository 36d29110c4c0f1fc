/**
 * The references the repaired image will have (RC-5): the data tally of pass 2, plus the header,
 * the encryption header, the bitmaps, the snapshot table, every tree's L1 table and the L2 tables
 * its final entries name. The refcount structures are added by whoever places them.
 */
import { l1EntryL2ClusterIndex } from '../../spec/format/l1-entry.js';
import type { Extent } from '../../spec/walk/check-image-context.js';
import type { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import type { RepairContext } from './repair-context.js';
import type { TreePlan } from './tree-plan.js';
import { bitmapExtentsOf } from './bitmap-extents.js';

/** A fresh tally of every reference but the refcount structures', with the trees' final offsets. */
export function tallyFinalReferences(ctx: RepairContext, trees: readonly TreePlan[], snapshotTable: Extent): ExpectedRefcounts {
  const tally = ctx.dataTally.clone();
  tally.addCluster(0);
  const enc = ctx.image.encryptionHeader;
  if (enc !== null) tally.add(enc.offsetBytes, enc.sizeBytes);
  for (const [offsetBytes, sizeBytes] of bitmapExtentsOf(ctx)) tally.add(offsetBytes, sizeBytes);
  tally.add(snapshotTable.offsetBytes, snapshotTable.sizeBytes);
  for (const tree of trees) {
    tally.add(tree.l1FinalOffsetBytes, tree.l1EntryCount * 8);
    addL2Tables(tally, tree, ctx.image.clusterBits);
  }
  return tally;
}

/** Adds one reference per non-zero entry of the tree's final L1 table. */
export function addL2Tables(tally: ExpectedRefcounts, tree: TreePlan, clusterBits: number): void {
  const l1 = tree.l1;
  for (let i = 0; i < l1.wordCount; i++) {
    const hi = l1.hi(i);
    const lo = l1.lo(i);
    if ((hi | lo) === 0) continue;
    tally.addCluster(l1EntryL2ClusterIndex(hi, lo, clusterBits));
  }
}
