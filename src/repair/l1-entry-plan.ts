/**
 * Pass 1 of a tree: each L1 entry is judged (L1-2, AL-1, AL-3, AL-4) and its L2 table claimed.
 * An entry that cannot be trusted loses its L2 table; one that can keeps it, with its reserved bits
 * cleared; an L2 table whose cluster belongs to other metadata, or that this tree already uses
 * under another entry, is marked for copying. Every change is recorded.
 */
import { hex } from '../../spec/format/bounded-reader.js';
import { offsetToClusterIndex } from '../../spec/format/geometry.js';
import { hasCopied, l1EntryHi, l1EntryL2OffsetBytes, l1EntryLo } from '../../spec/format/l1-entry.js';
import { limits } from '../../spec/format/limits.js';
import { entryHex } from '../../spec/invariants/finding.js';
import { L2Violation } from '../../spec/invariants/l2-violations.js';
import { l1EntryViolations } from '../../spec/invariants/mapping.js';
import { ClaimKind, claimKindName } from './cluster-claims.js';
import { droppedReads, guestRangeOf } from './guest-range.js';
import type { RepairContext } from './repair-context.js';
import { noteRefcountAlias } from './refcount-alias.js';
import { repairRecord } from './repair-record.js';
import type { TreePlan } from './tree-plan.js';

/** Judges every L1 entry of `tree` and creates its L2 slots. */
export function planL1Entries(ctx: RepairContext, tree: TreePlan): void {
  const own = new Set<number>();
  const l1 = tree.l1;
  for (let i = 0; i < l1.wordCount; i++) {
    const hi = l1.hi(i);
    const lo = l1.lo(i);
    if ((hi | lo) === 0) continue;
    const where = `${tree.owner} L1[${i}] @${hex(tree.l1OffsetBytes + i * 8)}`;
    const mask = l1EntryViolations(hi, lo, ctx.image.clusterBits);
    const offsetBytes = l1EntryL2OffsetBytes(hi, lo);
    if ((mask & L2Violation.l1HeaderAsL2) !== 0) {
      l1.setHalves(i, 0, 0);
      ctx.records.push(repairRecord('reserved-bits-cleared', 'AL-3', where, `entry ${entryHex(hi, lo)} has flags but no L2 table; cleared (the range stays unallocated)`));
      continue;
    }
    if ((mask & L2Violation.l1Unaligned) !== 0 || offsetBytes > limits.safeOffsetBytesMax) {
      drop(ctx, tree, i, where, 'L1-2', `L2 table offset ${hex(offsetBytes)} is not a usable cluster-aligned offset (entry ${entryHex(hi, lo)})`, droppedReads(ctx, false));
      continue;
    }
    if (offsetBytes >= ctx.image.fileSizeBytes) {
      drop(ctx, tree, i, where, 'AL-4', `L2 table at ${hex(offsetBytes)} lies past the end of the file, so it read as unallocated; the entry is cleared and the range reads as before`, 'same bytes');
      continue;
    }
    if ((mask & L2Violation.l1Reserved) !== 0) {
      l1.setHalves(i, l1EntryHi(offsetBytes, hasCopied(hi)), l1EntryLo(offsetBytes));
      ctx.records.push(repairRecord('reserved-bits-cleared', 'L1-2', where, `reserved bits cleared (entry was ${entryHex(hi, lo)})`));
    }
    tree.slots.set(i, slotFor(ctx, tree, own, i, offsetBytes, where));
  }
}

function drop(ctx: RepairContext, tree: TreePlan, i: number, where: string, rule: string, detail: string, readsAfter: 'same bytes' | 'zeros' | 'backing file or zeros'): void {
  tree.l1.setHalves(i, 0, 0);
  ctx.records.push(repairRecord('entry-dropped', rule, where, detail, { guestRange: guestRangeOf(ctx, tree, i, null, readsAfter) }));
}

/** Claims the L2 table at `offsetBytes` for this tree, or marks it for copying when it is not free to claim. */
function slotFor(ctx: RepairContext, tree: TreePlan, own: Set<number>, i: number, offsetBytes: number, where: string) {
  const k = offsetToClusterIndex(ctx.geometry, offsetBytes);
  const scan = ctx.claims.scan(k, k);
  if (scan.refcountStructure) noteRefcountAlias(ctx, scan, where, offsetBytes, 'L2 table', guestRangeOf(ctx, tree, i, null, 'same bytes'));
  let mustCopy = false;
  if (own.has(k)) {
    mustCopy = true;
    ctx.records.push(repairRecord('table-copied', 'AL-2', where, `L2 table at ${hex(offsetBytes)} is already used by another entry of this L1 table; this entry gets its own copy`, { guestRange: guestRangeOf(ctx, tree, i, null, 'same bytes') }));
  } else if (scan.owner !== ClaimKind.none && scan.owner !== ClaimKind.l2Table) {
    mustCopy = true;
    ctx.records.push(repairRecord('table-copied', scan.owner === ClaimKind.header ? 'AL-3' : 'AL-2', where, `L2 table at ${hex(offsetBytes)} overlaps ${claimKindName(scan.owner)}; the entry gets a copy of the table as it reads now`, { guestRange: guestRangeOf(ctx, tree, i, null, 'same bytes') }));
  } else {
    own.add(k);
    ctx.claims.claimMeta(k, k, ClaimKind.l2Table);
  }
  return { l1Index: i, sourceOffsetBytes: offsetBytes, table: null, refsChanged: false, mustCopy, finalOffsetBytes: offsetBytes };
}
