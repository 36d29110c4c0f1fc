/**
 * The `-r all` planner: reads the image, decides every table, entry and refcount (passes 1 to 3),
 * and returns the in-place plan when it suffices, else the rebuild plan.
 */
import type { Finding } from '../../spec/invariants/finding.js';
import type { BlockDevice } from '../storage/block-device.js';
import { normalizeL2Copied } from './copied-plan.js';
import { repairedAutoclear } from './repaired-features.js';
import { planInPlace } from './in-place-plan.js';
import { planL1Entries } from './l1-entry-plan.js';
import { planL2Tables } from './l2-table-plan.js';
import { claimMetadata } from './metadata-claims.js';
import { openForRepair } from './open-for-repair.js';
import { planRebuild } from './rebuild-plan.js';
import type { RepairContext } from './repair-context.js';
import type { RepairPlan } from './repair-plan.js';
import type { WriteStep } from './write-plan.js';
import { repairMutants } from './repair-mutants.js';
import { repairRecord } from './repair-record.js';
import { readTrees } from './tree-plan.js';

export type PlannedRepair = { ok: true; plan: RepairPlan; ctx: RepairContext } | { ok: false; findings: Finding[] };

/** Plans a full repair of the image on `device` (reads only); `mutants` may name repair mutants (tests only). */
export function planFullRepair(device: BlockDevice, mutants: readonly string[] = []): PlannedRepair {
  const opened = openForRepair(device);
  if (!opened.ok) return opened;
  const ctx = opened.ctx;
  ctx.trustsPastEof = mutants.includes(repairMutants.trustsPastEof);
  const trees = readTrees(ctx);
  claimMetadata(ctx, trees);
  for (const tree of trees) planL1Entries(ctx, tree);
  for (const tree of trees) planL2Tables(ctx, tree);
  normalizeL2Copied(ctx, trees[0], (k) => ctx.dataTally.countOf(k));
  const autoclear = repairedAutoclear(ctx);
  if (ctx.v3 && autoclear !== ctx.image.header.autoclearFeatures) {
    ctx.records.push(repairRecord('reserved-bits-cleared', 'FEAT-8', 'header.autoclear_features @0x58', `autoclear bits 0x${ctx.image.header.autoclearFeatures.toString(16)} -> 0x${autoclear.toString(16)} (bits without their extension, or unknown to every writer, FEAT-8/9/10)`));
  }
  const plan = planInPlace(ctx, trees, mutants) ?? planRebuild(ctx, trees);
  const padding = compressionTypePaddingWrite(ctx);
  if (padding !== null) plan.writes.epochs[0].writes.push(padding);
  return { ok: true, plan, ctx };
}

/** First byte of the padding after the v3 compression type (HDR-13), and the end of that padding. */
const COMPRESSION_PADDING = { first: 105, end: 112 } as const;

/**
 * HDR-13: the padding after the compression type must be zero. It is read by nobody, so zeroing it
 * changes no mapping and may go with the first epoch of either plan. Null when it already is zero.
 */
function compressionTypePaddingWrite(ctx: RepairContext): WriteStep | null {
  const h = ctx.image.header;
  const end = Math.min(COMPRESSION_PADDING.end, h.headerLengthBytes);
  if (!ctx.v3 || end <= COMPRESSION_PADDING.first || h.additionalFields.subarray(0, end - COMPRESSION_PADDING.first).every((b) => b === 0)) return null;
  ctx.records.push(repairRecord('reserved-bits-cleared', 'HDR-13', 'header @0x69..0x6f', 'padding after the compression type zeroed'));
  return { offsetBytes: COMPRESSION_PADDING.first, data: new Uint8Array(end - COMPRESSION_PADDING.first) };
}
