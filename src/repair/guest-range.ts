/**
 * The guest range an L1 or L2 entry maps, for the report of a dropped or redirected mapping.
 */
import { entryIndexesToGuestOffset } from '../../spec/format/guest-offset.js';
import type { RepairContext } from './repair-context.js';
import type { GuestRange } from './repair-record.js';
import type { TreePlan } from './tree-plan.js';

/**
 * The guest bytes mapped by L1 entry `l1Index` (all its L2 table) or, with `l2Index`, by that one
 * L2 entry; clipped to the virtual size of the active image (a snapshot's range may lie past it, in
 * its VM state area: then its length is what the entry maps).
 */
export function guestRangeOf(ctx: RepairContext, tree: TreePlan, l1Index: number, l2Index: number | null, readsAfter: GuestRange['readsAfter']): GuestRange {
  const g = ctx.geometry;
  const offsetBytes = entryIndexesToGuestOffset(g, l1Index, l2Index ?? 0);
  const spanBytes = l2Index === null ? g.l2CoverageBytes : g.clusterSizeBytes;
  const inDisk = Math.min(spanBytes, g.virtualSizeBytes - offsetBytes);
  return { offsetBytes, lengthBytes: inDisk > 0 ? inDisk : spanBytes, owner: tree.owner, readsAfter };
}

/** What a dropped mapping reads afterwards: zeros when the format can say so, else the layer below. */
export function droppedReads(ctx: RepairContext, zeroFlag: boolean): GuestRange['readsAfter'] {
  return zeroFlag || !ctx.hasBacking ? 'zeros' : 'backing file or zeros';
}
