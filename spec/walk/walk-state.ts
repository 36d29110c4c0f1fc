/**
 * WalkState: what one walk over an image's references carries: where references go, where
 * findings go, the stored refcounts for the COPIED checks (absent in a pass that only collects
 * sources), the allocation counters of qemu-img check, and the scan budget.
 */
import { scanBudgetFindings } from '../invariants/limits.js';
import type { EntryRef } from '../invariants/finding.js';
import { beyondEndFinding } from '../invariants/overlap.js';
import { refcountOverflowFindings } from '../invariants/refcounts.js';
import type { CheckImage } from './check-image-context.js';
import { checkLimits } from './check-limits.js';
import type { FindingSink } from './finding-sink.js';
import type { OnDiskRefcounts } from './on-disk-refcounts.js';
import { ADD_BEYOND_EOF, ADD_OK, type ReferenceSink } from './reference-source.js';
import { ScratchReader } from './scratch-reader.js';
import type { WalkMarks } from './walk-marks.js';

/** qemu-img check's allocation counters, counted over the active L1 table only. */
export interface AllocationCounters {
  allocatedClusters: number;
  fragmentedClusters: number;
  compressedClusters: number;
}

export interface WalkState {
  readonly image: CheckImage;
  readonly refs: ReferenceSink;
  readonly sink: FindingSink;
  /** Stored refcounts for the COPIED checks; null when the walk only collects reference sources. */
  readonly onDisk: OnDiskRefcounts | null;
  readonly counters: AllocationCounters;
  /** Table bytes still allowed to scan (CRASHCOW-SCAN-BUDGET). */
  budgetBytes: number;
  /** Set when the budget ran out: the walk stopped and its counts are incomplete. */
  exhausted: boolean;
  /** The reused buffer L2 tables are read into. */
  readonly l2Reads: ScratchReader;
  /** Told where the walk is (see WalkMarks); absent in the checker's own walks. */
  marks?: WalkMarks;
}

export function walkStateOf(image: CheckImage, refs: ReferenceSink, sink: FindingSink, onDisk: OnDiskRefcounts | null): WalkState {
  return {
    image,
    refs,
    sink,
    onDisk,
    counters: { allocatedClusters: 0, fragmentedClusters: 0, compressedClusters: 0 },
    budgetBytes: checkLimits.scanBudgetBytes(image.fileSizeBytes),
    exhausted: false,
    l2Reads: new ScratchReader(image.source),
  };
}

/** Spends scan budget; on running out, records one check error and returns false. */
export function spend(state: WalkState, bytes: number): boolean {
  if (state.exhausted) return false;
  state.budgetBytes -= bytes;
  if (state.budgetBytes >= 0) return true;
  state.exhausted = true;
  const budgetBytes = checkLimits.scanBudgetBytes(state.image.fileSizeBytes);
  state.sink.addAll(scanBudgetFindings(budgetBytes - state.budgetBytes, budgetBytes));
  return false;
}

/**
 * Reports what `ReferenceSink.add` refused: a reference past the end of the file (AL-4) or
 * overflowing refcounts (RC-8). `by` is the table entry that made the reference, if one did.
 */
export function reportAddStatus(state: WalkState, status: number, where: string, offset: number | bigint, sizeBytes: number, firstClusterIndex: number, by?: EntryRef): void {
  if (status === ADD_OK) return;
  const sink = state.sink;
  if (status === ADD_BEYOND_EOF) {
    sink.note('AL-4', 'corruption', 1, () => beyondEndFinding(where, offset, sizeBytes, state.image.fileSizeBytes, by));
    return;
  }
  sink.note('RC-8', 'corruption', status, () => refcountOverflowFindings(firstClusterIndex, state.image.clusterSizeBytes, state.image.refcountBits)[0]);
}
