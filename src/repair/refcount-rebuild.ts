/**
 * New refcount structures for a rebuild: refcount blocks and a refcount table placed past every
 * cluster the repaired image uses (so never on anything referenced: MUT-16), describing
 * themselves, and filled from the final reference counts. Stages their content; the header switch
 * makes them live.
 */
import { clusterCountToSize, clusterIndexToOffset, sizeToClusterCount } from '../../spec/format/geometry.js';
import { setRefcount } from '../../spec/format/refcount-block.js';
import { clusterCountToRefblockCount, refcountIndexToClusterIndex } from '../../spec/format/refcount-geometry.js';
import { encodeRefcountTableEntry } from '../../spec/format/refcount-table-entry.js';
import { TableView } from '../../spec/format/table-view.js';
import type { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import type { RepairContext } from './repair-context.js';

interface NewRefcountStructures {
  reftableOffsetBytes: number;
  reftableClusters: number;
  refblockCount: number;
  /** Clusters whose reference count exceeds the refcount width (RC-8): stored as the maximum. */
  overflowing: number;
}

/** Places, fills and stages new refcount structures for `tally` (which gains their own references). */
export function buildRefcountStructures(ctx: RepairContext, tally: ExpectedRefcounts): NewRefcountStructures {
  const g = ctx.geometry;
  const refblocks: number[] = [];
  let reftableStart = -1;
  let reftableClusters = 0;
  for (;;) {
    const end = Math.max(tally.clusterCount, ctx.allocator.endIndex, ctx.image.fileClusterCount);
    const blocksNeeded = clusterCountToRefblockCount(g, end);
    const tableClustersNeeded = Math.max(1, sizeToClusterCount(g, blocksNeeded * 8));
    if (refblocks.length >= blocksNeeded && reftableClusters >= tableClustersNeeded) break;
    while (refblocks.length < blocksNeeded) refblocks.push(ctx.allocator.allocRun(1));
    if (reftableClusters < tableClustersNeeded) {
      // A larger table than before: take a new run (the old run stays unreferenced, refcount 0).
      reftableClusters = tableClustersNeeded;
      reftableStart = ctx.allocator.allocRun(reftableClusters);
    }
  }
  for (const k of refblocks) tally.addCluster(k);
  for (let k = reftableStart; k < reftableStart + reftableClusters; k++) tally.addCluster(k);
  const reftable = new TableView(new Uint8Array(clusterCountToSize(g, reftableClusters)));
  let overflowing = 0;
  refblocks.forEach((k, b) => {
    const block = new Uint8Array(g.clusterSizeBytes);
    for (let i = 0; i < g.refblockEntryCount; i++) {
      const n = tally.countOf(refcountIndexToClusterIndex(g, b, i));
      if (n === 0) continue;
      if (n > g.refcountMax) overflowing++;
      setRefcount(block, i, g.refcountOrder, Math.min(n, g.refcountMax));
    }
    ctx.staged.push({ offsetBytes: clusterIndexToOffset(g, k), data: block });
    reftable.setWord(b, encodeRefcountTableEntry(clusterIndexToOffset(g, k)));
  });
  const reftableOffsetBytes = clusterIndexToOffset(g, reftableStart);
  ctx.staged.push({ offsetBytes: reftableOffsetBytes, data: reftable.bytes });
  return { reftableOffsetBytes, reftableClusters, refblockCount: refblocks.length, overflowing };
}
