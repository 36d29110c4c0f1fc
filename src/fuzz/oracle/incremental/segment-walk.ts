/**
 * walkSegment: one non-zero L1 entry walked alone, as the whole walk walks it (spec/walk
 * walkL1Entry): its findings recorded under its walk ordinal, its references remembered
 * (SegmentRefs, refused past the end of `image`'s file as the whole walk refuses them), the
 * allocation counters it moves and the scan budget it spends. The incremental judge walks an
 * entry so on the flushed image (what to take out of the counts) and on the crash state.
 */
import type { CheckImage } from '../../../../spec/walk/check-image-context.js';
import { readL2Table, walkL1Entry } from '../../../../spec/walk/l1-walk.js';
import type { OnDiskRefcounts } from '../../../../spec/walk/on-disk-refcounts.js';
import { walkStateOf, type AllocationCounters } from '../../../../spec/walk/walk-state.js';
import { RecordingSink, type RecordedNote } from './recording-sink.js';
import { SegmentRefs } from './segment-refs.js';

export interface SegmentWalk {
  refs: SegmentRefs;
  notes: RecordedNote[];
  counters: AllocationCounters;
  spentBytes: number;
}

/** Where the entry is: its table (snapshot index, -1 active; offset) and index; and its value. */
export interface SegmentEntry {
  snapshotIndex: number;
  l1OffsetBytes: number;
  l1Index: number;
  hi: number;
  lo: number;
}

/** The walk of entry `e` of `image` (stored refcounts `onDisk`), under walk ordinal `ordinal`. */
export function walkSegment(image: CheckImage, onDisk: OnDiskRefcounts, e: SegmentEntry, ordinal: number): SegmentWalk {
  const refs = new SegmentRefs(image.fileClusterCount, image.fileSizeBytes, image.clusterSizeBytes);
  const sink = new RecordingSink(ordinal);
  const state = walkStateOf(image, refs, sink, onDisk);
  const budgetBytes = (state.budgetBytes = Number.MAX_SAFE_INTEGER);
  walkL1Entry(state, { hi: e.hi, lo: e.lo, index: e.l1Index, snapshotIndex: e.snapshotIndex, l1OffsetBytes: e.l1OffsetBytes }, (offsetBytes) => readL2Table(state, offsetBytes));
  return { refs, notes: sink.recorded, counters: state.counters, spentBytes: budgetBytes - state.budgetBytes };
}
