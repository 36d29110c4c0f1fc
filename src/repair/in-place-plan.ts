/**
 * The in-place repair: used when the fix needs no new cluster (no copies, no moved tables, no new
 * snapshot table) and the old refcount structures can hold the result. It edits entries and
 * refcounts where they are, in this declared order, each epoch ended by a flush:
 *
 *   1. unlink: entries drop references or clear flags (never gain COPIED);
 *   2. raise: refcounts that were too low reach the reference count;
 *   3. lower: refcounts that were too high come down, only after the unlinks are durable (ORD-2);
 *   4. COPIED set where the refcount is now durably 1 (L2-2: never COPIED on a shared cluster);
 *   5. the dirty and corrupt bits cleared, last (LAZY-4), when the result checks clean.
 *
 * Invariant in every crash state: each stored refcount is at least the number of references to its
 * cluster (a crash leaves at most leaks beyond what the image already had), and no entry carries
 * COPIED for a cluster whose stored refcount is not 1 unless it did before the repair.
 */
import { offsetToClusterIndex } from '../../spec/format/geometry.js';
import { sameBytes } from '../storage/same-bytes.js';
import { normalizeL1Copied } from './copied-plan.js';
import { entryWrites } from './entry-writes.js';
import { tallyFinalReferences } from './final-references.js';
import { featureBitsWrite } from './header-switch.js';
import { repairedAutoclear, withoutDirtyAndCorrupt } from './repaired-features.js';
import { refcountEdits } from './refcount-edits.js';
import type { RepairContext } from './repair-context.js';
import { repairMutants } from './repair-mutants.js';
import type { RepairPlan } from './repair-plan.js';
import type { TreePlan } from './tree-plan.js';
import { writeEpoch, type WriteEpoch } from './write-plan.js';

/** True when nothing in the plan needs a fresh cluster or a new refcount structure. */
function inPlacePossible(ctx: RepairContext, trees: readonly TreePlan[]): boolean {
  if (ctx.rebuildReasons.length > 0 || ctx.copies > 0 || ctx.snapshotTableRewrite) return false;
  return trees.every((t) => !t.l1Relocate && [...t.slots.values()].every((s) => !s.mustCopy));
}

/**
 * The in-place plan, or null when the old refcount structures cannot hold the result. `mutants` may
 * name repair mutants (tests only).
 */
export function planInPlace(ctx: RepairContext, trees: TreePlan[], mutants: readonly string[] = []): RepairPlan | null {
  if (!inPlacePossible(ctx, trees)) return null;
  const tally = tallyFinalReferences(ctx, trees, ctx.image.snapshotTable);
  tally.add(ctx.image.reftable.offsetBytes, ctx.image.reftable.entryCount * 8);
  for (const offsetBytes of ctx.refcounts.refblockOffsets) if (offsetBytes !== 0) tally.addCluster(offsetToClusterIndex(ctx.geometry, offsetBytes));
  const edits = refcountEdits(ctx, tally, true, mutants.includes(repairMutants.naiveIncrement));
  if (edits === null) return null;
  normalizeL1Copied(ctx, trees[0], (k) => tally.countOf(k));
  ctx.records.push(...edits.records);
  const entries = entryWrites(ctx, trees);
  const epochs: WriteEpoch[] = [
    writeEpoch('unlink', 'entries only drop references or clear flags: every stored refcount stays at least its reference count'),
    writeEpoch('raise refcounts', 'refcounts only grow, toward the reference counts'),
    writeEpoch('lower refcounts', 'the unlinks are durable, so no refcount falls below its references (ORD-2)'),
    writeEpoch('set COPIED', 'COPIED is set only where the refcount is durably 1 (L2-2)'),
    writeEpoch('feature bits', 'everything above is durable before the dirty and corrupt bits go (LAZY-4)'),
  ];
  epochs[0].writes.push(...entries.clearing);
  for (const [offsetBytes, data] of edits.raised) epochs[1].writes.push({ offsetBytes, data });
  for (const [offsetBytes, data] of edits.lowered) {
    const raised = edits.raised.get(offsetBytes);
    if (raised === undefined || !sameBytes(raised, data)) epochs[2].writes.push({ offsetBytes, data });
  }
  epochs[3].writes.push(...entries.setting);
  const plan: RepairPlan = { strategy: 'in-place', writes: { epochs }, features: null };
  const h = ctx.image.header;
  const autoclear = repairedAutoclear(ctx);
  if (ctx.v3 && (withoutDirtyAndCorrupt(h.incompatibleFeatures) !== h.incompatibleFeatures || autoclear !== h.autoclearFeatures)) {
    const step = featureBitsWrite(withoutDirtyAndCorrupt(h.incompatibleFeatures), h.compatibleFeatures, autoclear);
    epochs[4].writes.push(step);
    plan.features = { step, offsetInStep: 0 };
  }
  return plan;
}
