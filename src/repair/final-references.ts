/**
 * The references the repaired image will have (RC-5): the data tally of pass 2, plus the header,
 * the encryption header, the bitmaps, the snapshot table, every tree's L1 table and the L2 tables
 * its final entries name. The refcount structures are added by whoever places them.
 */
import type { Extent } from '../../spec/walk/check-image-context.js';
import type { RepairContext } from './repair-context.js';
import type { RefTally } from './ref-tally.js';
import type { TreePlan } from './tree-plan.js';
import { bitmapExtentsOf } from './bitmap-extents.js';

/** A fresh tally of every reference but the refcount structures', with the trees' final offsets. */
export function tallyFinalReferences(ctx: RepairContext, trees: readonly TreePlan[], snapshotTable: Extent): RefTally {
  const cs = ctx.clusterSizeBytes;
  const tally = ctx.dataTally.clone();
  tally.addCluster(0);
  const enc = ctx.image.encryptionHeader;
  if (enc !== null) tally.addRange(enc.offsetBytes, enc.sizeBytes, cs);
  for (const [offsetBytes, sizeBytes] of bitmapExtentsOf(ctx)) tally.addRange(offsetBytes, sizeBytes, cs);
  tally.addRange(snapshotTable.offsetBytes, snapshotTable.sizeBytes, cs);
  for (const tree of trees) {
    tally.addRange(tree.l1FinalOffsetBytes, tree.l1EntryCount * 8, cs);
    addL2Tables(tally, tree, cs);
  }
  return tally;
}

/** Adds one reference per non-zero entry of the tree's final L1 table. */
export function addL2Tables(tally: RefTally, tree: TreePlan, clusterSizeBytes: number): void {
  const l1 = tree.l1;
  for (let i = 0; i < l1.wordCount; i++) {
    const hi = l1.hi(i);
    const lo = l1.lo(i);
    if ((hi | lo) === 0) continue;
    tally.addCluster(((hi & 0x00ffffff) * 4294967296 + ((lo & 0xfffffe00) >>> 0)) / clusterSizeBytes);
  }
}
