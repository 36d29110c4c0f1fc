/**
 * The rebuilding repair: every table whose content changes is written anew (copy on write), the
 * L1 tables that then change too, a new snapshot table when needed, and new refcount structures
 * for the whole result; then one small header write switches to them. Declared order:
 *
 *   1. new structures: copies of data, L2 tables, L1 tables, the snapshot table, refcount blocks
 *      and table, all in fresh clusters past the end of the file, then a flush;
 *   2. the switch: header bytes 36..95 (L1, refcount table, snapshot table, feature bits) in one
 *      write inside the first sector, then a flush.
 *
 * Invariant: before the switch lands, the image is exactly the old one (nothing it references was
 * written); after it, exactly the repaired one. The old tables are freed by the switch itself: the
 * new refcounts give them 0, so nothing is ever freed before the structures replacing it are
 * durable.
 */
import { hex } from '../../spec/format/bounded-reader.js';
import { headerFieldOffsets } from '../../spec/format/header.js';
import { hasCopied, l1EntryHi, l1EntryLo } from '../../spec/format/l1-entry.js';
import { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import { normalizeL1Copied } from './copied-plan.js';
import { addL2Tables, tallyFinalReferences } from './final-references.js';
import { currentHeaderFields, headerSwitchWrite } from './header-switch.js';
import { repairedAutoclear, withoutDirtyAndCorrupt } from './repaired-features.js';
import { buildRefcountStructures } from './refcount-rebuild.js';
import { stageNew, type RepairContext } from './repair-context.js';
import type { RepairPlan } from './repair-plan.js';
import { repairRecord } from './repair-record.js';
import { placeSnapshotTable } from './snapshot-table-plan.js';
import { l1Changed, type TreePlan } from './tree-plan.js';
import { writeEpoch } from './write-plan.js';

/** Plans the rebuild of everything `trees` change. */
export function planRebuild(ctx: RepairContext, trees: TreePlan[]): RepairPlan {
  placeL2Tables(ctx, trees);
  const l2Refs = ExpectedRefcounts.growing(ctx.image.clusterBits, 0);
  for (const tree of trees) addL2Tables(l2Refs, tree, ctx.image.clusterBits);
  normalizeL1Copied(ctx, trees[0], (k) => l2Refs.countOf(k));
  placeL1Tables(ctx, trees);
  const snapshotTable = placeSnapshotTable(ctx, trees);
  const tally = tallyFinalReferences(ctx, trees, snapshotTable.extent);
  const structures = buildRefcountStructures(ctx, tally);
  const why = ctx.rebuildReasons.length > 0 ? ctx.rebuildReasons.slice(0, 3).join('; ') : 'the repair adds references only new structures can count';
  ctx.records.push(repairRecord('refcounts-rebuilt', 'RC-6', `refcount table @${hex(structures.reftableOffsetBytes)}`, `refcount structures rebuilt from the references (${structures.refblockCount} blocks, ${structures.reftableClusters}-cluster table): ${why}`));
  const features = ctx.image.header.incompatibleFeatures;
  const fields = {
    ...currentHeaderFields(ctx),
    l1OffsetBytes: trees[0].l1FinalOffsetBytes,
    reftableOffsetBytes: structures.reftableOffsetBytes,
    reftableClusters: structures.reftableClusters,
    snapshotCount: snapshotTable.count,
    snapshotsOffsetBytes: snapshotTable.extent.offsetBytes,
    incompatibleFeatures: withoutDirtyAndCorrupt(features),
    autoclearFeatures: repairedAutoclear(ctx),
  };
  const switchStep = headerSwitchWrite(ctx, fields);
  const structuresEpoch = writeEpoch('new structures', 'every write lands in fresh clusters no old reference points to: the old image is intact');
  structuresEpoch.writes.push(...ctx.staged);
  const switchEpoch = writeEpoch('header switch', 'one write inside the first sector: the image is either all old or all new');
  switchEpoch.writes.push(switchStep);
  return {
    strategy: 'rebuild',
    writes: { epochs: [structuresEpoch, switchEpoch] },
    features: ctx.v3 ? { step: switchStep, offsetInStep: headerFieldOffsets.incompatibleFeatures - headerFieldOffsets.l1Size } : null,
  };
}

/** Gives every L2 table that changed (or must be copied) a fresh cluster; identical results share one. */
function placeL2Tables(ctx: RepairContext, trees: TreePlan[]): void {
  const placed = new Map<string, number>();
  for (const tree of trees) {
    for (const slot of tree.slots.values()) {
      if (!slot.mustCopy && slot.table === null) continue;
      const content = slot.table ?? ctx.device.read(slot.sourceOffsetBytes, ctx.clusterSizeBytes);
      const key = `${slot.sourceOffsetBytes}:${Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('base64')}`;
      let offsetBytes = placed.get(key);
      if (offsetBytes === undefined) placed.set(key, (offsetBytes = stageNew(ctx, content)));
      slot.finalOffsetBytes = offsetBytes;
      tree.l1.setHalves(slot.l1Index, l1EntryHi(offsetBytes, hasCopied(tree.l1.hi(slot.l1Index))), l1EntryLo(offsetBytes));
    }
  }
}

/** Writes every L1 table that changed or must move to fresh clusters. */
function placeL1Tables(ctx: RepairContext, trees: TreePlan[]): void {
  for (const tree of trees) {
    if (tree.l1EntryCount === 0 || (!tree.l1Relocate && !l1Changed(tree))) continue;
    tree.l1FinalOffsetBytes = stageNew(ctx, tree.l1.bytes);
    if (tree.snapshotSlot >= 0) ctx.snapshotTableRewrite = true;
  }
}
