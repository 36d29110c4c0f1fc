/**
 * In-place entry writes: every L1 and L2 entry whose final value differs from the stored one, as
 * one small write each (an entry never straddles a sector, so each lands whole or not at all).
 * Split by whether the entry gains COPIED: those may only land once the refcounts that justify
 * them are durable.
 */
import { readPadded } from '../../spec/format/byte-source.js';
import { hasCopied } from '../../spec/format/l1-entry.js';
import { TableView } from '../../spec/format/table-view.js';
import type { RepairContext } from './repair-context.js';
import type { TreePlan } from './tree-plan.js';
import type { WriteStep } from './write-plan.js';

interface EntryWrites {
  /** Entries that drop references or clear flags. */
  clearing: WriteStep[];
  /** Entries that gain COPIED. */
  setting: WriteStep[];
}

/** The in-place writes that turn the stored tables of `trees` into their final content. */
export function entryWrites(ctx: RepairContext, trees: readonly TreePlan[]): EntryWrites {
  const out: EntryWrites = { clearing: [], setting: [] };
  for (const tree of trees) {
    diff(out, tree.original, tree.l1.bytes, tree.l1OffsetBytes, 8);
    for (const slot of tree.slots.values()) {
      if (slot.table === null) continue;
      diff(out, readPadded(ctx.source, slot.sourceOffsetBytes, ctx.clusterSizeBytes), slot.table, slot.sourceOffsetBytes, ctx.geometry.l2EntrySizeBytes);
    }
  }
  return out;
}

function diff(out: EntryWrites, before: Uint8Array, after: Uint8Array, baseOffsetBytes: number, entrySizeBytes: number): void {
  const beforeWords = new TableView(before);
  const afterWords = new TableView(after);
  for (let p = 0; p < after.length; p += entrySizeBytes) {
    let same = true;
    for (let b = p; b < p + entrySizeBytes && same; b++) same = before[b] === after[b];
    if (same) continue;
    // An entry's first word holds its COPIED bit (an extended L2 entry's second word is its bitmap).
    const gains = !hasCopied(beforeWords.hi(p / 8)) && hasCopied(afterWords.hi(p / 8));
    const step = { offsetBytes: baseOffsetBytes + p, data: after.slice(p, p + entrySizeBytes) };
    (gains ? out.setting : out.clearing).push(step);
  }
}
