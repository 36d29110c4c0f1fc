/**
 * An old refcount structure cluster that something else also uses: the repair resolves it by
 * rebuilding the refcount structures elsewhere (their old clusters then belong to the other user
 * alone, unchanged), instead of copying the other user's data. Notes the rebuild and records it.
 */
import { hex } from '../../spec/format/bounded-reader.js';
import { claimKindName, type ClaimScan } from './cluster-claims.js';
import type { RepairContext } from './repair-context.js';
import { repairRecord, type GuestRange } from './repair-record.js';

/** When `scan` touched a refcount structure: requires the rebuild and records why. */
export function noteRefcountAlias(ctx: RepairContext, scan: ClaimScan, where: string, offsetBytes: number, what: string, guestRange?: GuestRange): void {
  if (!scan.refcountStructure) return;
  const owner = claimKindName(scan.refcountKind);
  ctx.rebuildReasons.push(`${where} uses a cluster of ${owner}`);
  ctx.records.push(
    repairRecord('table-relocated', 'AL-2', where, `${what} at ${hex(offsetBytes)} shares its cluster with ${owner}; the refcount structures are rebuilt elsewhere, so it keeps the cluster and reads the same bytes`, guestRange ? { guestRange } : {}),
  );
}
