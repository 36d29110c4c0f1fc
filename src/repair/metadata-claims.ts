/**
 * Metadata claims: before any L2 table or data cluster, the structures that keep their clusters
 * claim them, in this order: the header, (the old refcount structures, by surveyRefcountStructure),
 * the encryption header, the bitmaps, the snapshot table, the active L1 table, each snapshot's L1
 * table. A table that overlaps an earlier claim, or lies past the end of the file, is moved: its
 * content is copied to fresh clusters when the repair writes its new structures.
 */
import { hex } from '../../spec/format/bounded-reader.js';
import { offsetToClusterIndex } from '../../spec/format/geometry.js';
import { beyondEndOfFile } from '../../spec/invariants/overlap.js';
import { bitmapExtentsOf } from './bitmap-extents.js';
import { ClaimKind, claimKindName } from './cluster-claims.js';
import type { RepairContext } from './repair-context.js';
import { noteRefcountAlias } from './refcount-alias.js';
import { repairRecord } from './repair-record.js';
import type { TreePlan } from './tree-plan.js';

/** Claims the clusters of every structure that keeps them; marks tables that must move. */
export function claimMetadata(ctx: RepairContext, trees: TreePlan[]): void {
  ctx.claims.claimMeta(0, 0, ClaimKind.header);
  const enc = ctx.image.encryptionHeader;
  if (enc !== null && enc.sizeBytes > 0) claimRange(ctx, enc.offsetBytes, enc.sizeBytes, ClaimKind.encryptionHeader);
  for (const [offsetBytes, sizeBytes] of bitmapExtentsOf(ctx)) claimRange(ctx, offsetBytes, sizeBytes, ClaimKind.bitmap);
  const table = ctx.image.snapshotTable;
  if (table.sizeBytes > 0) {
    const why = conflict(ctx, table.offsetBytes, table.sizeBytes);
    if (why !== null) {
      ctx.snapshotTableRewrite = true;
      ctx.records.push(repairRecord('table-relocated', why.rule, `snapshot table @${hex(table.offsetBytes)}`, `the snapshot table ${why.text}: it is rewritten elsewhere`));
    } else claimRange(ctx, table.offsetBytes, table.sizeBytes, ClaimKind.snapshotTable);
  }
  for (const tree of trees) {
    if (tree.l1EntryCount === 0) continue;
    const sizeBytes = tree.l1EntryCount * 8;
    const why = conflict(ctx, tree.l1OffsetBytes, sizeBytes);
    if (why !== null) {
      tree.l1Relocate = true;
      ctx.records.push(repairRecord('table-relocated', why.rule, `${tree.owner} L1 table @${hex(tree.l1OffsetBytes)}`, `the L1 table ${why.text}: its entries are copied to a new L1 table`));
      continue;
    }
    claimRange(ctx, tree.l1OffsetBytes, sizeBytes, tree.snapshotSlot < 0 ? ClaimKind.activeL1 : ClaimKind.snapshotL1);
  }
}

function claimRange(ctx: RepairContext, offsetBytes: number, sizeBytes: number, kind: ClaimKind): void {
  ctx.claims.claimMeta(offsetToClusterIndex(ctx.geometry, offsetBytes), offsetToClusterIndex(ctx.geometry, offsetBytes + sizeBytes - 1), kind);
}

/** Why a table at [offsetBytes, +sizeBytes) cannot keep its place, or null; notes a rebuild when it hits the refcount structures. */
function conflict(ctx: RepairContext, offsetBytes: number, sizeBytes: number): { rule: string; text: string } | null {
  const cs = ctx.clusterSizeBytes;
  if (beyondEndOfFile(offsetBytes, sizeBytes, ctx.image.fileSizeBytes, cs)) return { rule: 'AL-4', text: `runs a cluster or more past the end of the file (${ctx.image.fileSizeBytes} bytes)` };
  const scan = ctx.claims.scan(offsetToClusterIndex(ctx.geometry, offsetBytes), offsetToClusterIndex(ctx.geometry, offsetBytes + sizeBytes - 1));
  noteRefcountAlias(ctx, scan, `table @${hex(offsetBytes)}`, offsetBytes, 'a table');
  if (scan.owner === ClaimKind.none) return null;
  return { rule: scan.owner === ClaimKind.header ? 'AL-3' : 'AL-2', text: `overlaps ${claimKindName(scan.owner)}` };
}
