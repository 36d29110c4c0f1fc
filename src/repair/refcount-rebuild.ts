/**
 * New refcount structures for a rebuild: refcount blocks and a refcount table placed past every
 * cluster the repaired image uses (so never on anything referenced: MUT-16), describing
 * themselves, and filled from the final reference counts. Stages their content; the header switch
 * makes them live.
 */
import { setRefcount } from '../../spec/format/refcount-block.js';
import type { RepairContext } from './repair-context.js';
import type { RefTally } from './ref-tally.js';

export interface NewRefcountStructures {
  reftableOffsetBytes: number;
  reftableClusters: number;
  refblockCount: number;
  /** Clusters whose reference count exceeds the refcount width (RC-8): stored as the maximum. */
  overflowing: number;
}

/** Places, fills and stages new refcount structures for `tally` (which gains their own references). */
export function buildRefcountStructures(ctx: RepairContext, tally: RefTally): NewRefcountStructures {
  const cs = ctx.clusterSizeBytes;
  const perBlock = ctx.geometry.refblockEntryCount;
  const refblocks: number[] = [];
  let reftableStart = -1;
  let reftableClusters = 0;
  for (;;) {
    const end = Math.max(tally.clusterEnd, ctx.allocator.endIndex, ctx.image.fileClusterCount);
    const blocksNeeded = Math.ceil(end / perBlock);
    const tableClustersNeeded = Math.max(1, Math.ceil((blocksNeeded * 8) / cs));
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
  const reftable = new Uint8Array(reftableClusters * cs);
  const reftableView = new DataView(reftable.buffer);
  let overflowing = 0;
  refblocks.forEach((k, b) => {
    const block = new Uint8Array(cs);
    for (let i = 0; i < perBlock; i++) {
      const n = tally.countOf(b * perBlock + i);
      if (n === 0) continue;
      if (n > ctx.geometry.refcountMax) overflowing++;
      setRefcount(block, i, ctx.geometry.refcountOrder, Math.min(n, ctx.geometry.refcountMax));
    }
    ctx.staged.push({ offsetBytes: k * cs, data: block });
    reftableView.setBigUint64(b * 8, BigInt(k * cs));
  });
  ctx.staged.push({ offsetBytes: reftableStart * cs, data: reftable });
  return { reftableOffsetBytes: reftableStart * cs, reftableClusters, refblockCount: refblocks.length, overflowing };
}
