/**
 * checkIncrementally: the check of a crash state, made from its crash point's base check
 * (base-check.ts) and the sectors the state changed, equal to the full check of the state
 * (summarizeCheck): the same findings in the same order, counters, omissions and exit code.
 *
 * What it walks again: the L1 entries whose bytes changed, the L1 entries whose L2 table has a
 * changed sector, and the active L1 entries that reference a cluster whose stored refcount changed
 * (their COPIED flags are judged against it), as rewalk-plan.ts plans them; each alone
 * (spec/walk walkL1Entry), its old references taken out of the counts and its new ones put in.
 * The stored refcounts are read again in the refcount blocks with a changed sector; the header's
 * stages run again when cluster 0 changed (the dirty bit only) or the file grew. The walk's tail,
 * the refcount comparison and the shared-structure check then run on the state's counts as the
 * full check runs them.
 *
 * It gives up (the caller then runs the full check) when a change reaches what it does not
 * follow: cluster 0 beyond the dirty bit, the refcount table, the snapshot table, a smaller file,
 * a larger one when the base refused a reference past its end or an L1 table crosses its end, a
 * count past the refcount width, an unreadable refcount block or the scan budget.
 */
import { readPadded, type ByteSource } from '../../../../spec/format/byte-source.js';
import type { CheckImage } from '../../../../spec/walk/check-image-context.js';
import { checkImageOf, totalClustersOf } from '../../../../spec/walk/check-image-context.js';
import { checkLimits } from '../../../../spec/walk/check-limits.js';
import type { ExpectedRefcounts } from '../../../../spec/walk/expected-refcounts.js';
import { FindingSink } from '../../../../spec/walk/finding-sink.js';
import { OnDiskRefcounts } from '../../../../spec/walk/on-disk-refcounts.js';
import { walkTail } from '../../../../spec/walk/reference-walk.js';
import { describeSource, type ReferenceSource } from '../../../../spec/walk/reference-source.js';
import { walkStateOf, type AllocationCounters } from '../../../../spec/walk/walk-state.js';
import { buildReport } from '../../../check/check-report.js';
import { compareRefcounts } from '../../../check/refcount-compare.js';
import { reportSharedStructures } from '../../../check/shared-structures.js';
import type { BlockDevice } from '../../../storage/block-device.js';
import type { CrashState } from '../../../storage/crash-states/crash-state.js';
import { toByteSource } from '../../../storage/to-byte-source.js';
import { dirtyBitOf, summaryFrom, type CheckSummary } from '../check-summary.js';
import type { BaseCheck } from './base-check.js';
import { RecordingSink, replayNotes, type RecordedNote } from './recording-sink.js';
import { addCopiedRewalks, changedRefcounts, entryAt, removedRefs, rewalksOf, touchesOf, type Rewalk } from './rewalk-plan.js';
import { walkSegment, type SegmentWalk } from './segment-walk.js';
import { stageNotesOf } from './state-stages.js';
import { TailRefs } from './tail-refs.js';
import { byOrdinal, TAIL_ORDINAL } from './walk-ordinal.js';

/** Why a state got the full check instead. */
export type FallbackReason = 'image' | 'shrunk' | 'grown' | 'header' | 'refcount-table' | 'snapshot-table' | 'overflow' | 'unreadable' | 'budget';

export type IncrementalResult = { summary: CheckSummary; rewalked: number } | { fallback: FallbackReason };

/** Sources named per cluster in a witness, as the checker's second pass names them. */
const SOURCES_PER_CLUSTER_MAX = 8;

/**
 * The summary of `state`'s check, read through `read` (the state's bytes, tracked by the caller),
 * or why it needs the full check.
 */
export function checkIncrementally(base: BaseCheck, state: CrashState, read: BlockDevice): IncrementalResult {
  const sizeBytes = state.sizeBytes;
  if (sizeBytes < base.sizeBytes) return { fallback: 'shrunk' };
  const grown = sizeBytes !== base.sizeBytes;
  if (grown && (base.beyondEnd || base.l1PastEnd)) return { fallback: 'grown' };
  const touches = touchesOf(base, state);
  if ('fallback' in touches) return touches;
  const source = toByteSource(read);
  if (touches.header && !onlyDirtyBitDiffers(base, source)) return { fallback: 'header' };
  const stages = touches.header || grown ? stageNotesOf(base, source) : { image: imageLike(base, source), notes: base.stageNotes };
  if (stages === null) return { fallback: 'header' };
  const image = stages.image;
  const onDisk = new OnDiskRefcounts(source, base.reftable.bytes, image.clusterBits, image.refcountOrder, image.fileClusterCount + 1, { saturated: base.onDisk.saturated, reloadBlocks: touches.refblocks.keys() });
  if (onDisk.unreadable.size > 0) return { fallback: 'unreadable' };
  const rewalks = rewalksOf(base, touches, source);
  addCopiedRewalks(base, rewalks, changedRefcounts(base, touches, onDisk));
  const walked = rewalk(base, image, source, onDisk, rewalks);
  if ('fallback' in walked) return walked;
  const { counts, notes: segmentNotes } = walked;
  const tailRefs = new TailRefs(counts);
  const tailSink = new RecordingSink(TAIL_ORDINAL);
  const tail = walkStateOf(image, tailRefs, tailSink, onDisk);
  tail.budgetBytes -= walked.spentBytes;
  if (!walkTail(tail, base.reftable)) return { fallback: 'budget' };
  const walkNotes = [...base.walkNotes.filter((n) => !rewalks.has(n.ordinal)), ...segmentNotes].sort(byOrdinal);
  const notes = [...stages.notes, ...walkNotes, ...tailSink.recorded];
  const sink = new FindingSink();
  replayNotes(notes, sink);
  const compared = compareRefcounts(counts, onDisk, sink, image.clusterSizeBytes);
  reportSharedStructures(image, counts, base.reftable, sink);
  for (const [cluster, f] of compared.witnesses) {
    const list = sourcesOf(base, cluster, walked, rewalks, tailRefs);
    if (list.length > 0) f.detail += `; referenced by ${list.map(describeSource).join(', ')}`;
  }
  const report = buildReport('state', sink, {
    imageEndOffsetBytes: (compared.highestClusterIndex + 1) * image.clusterSizeBytes,
    totalClusters: totalClustersOf(image),
    ...walked.counters,
  });
  const countOf = (k: number): number => counts.countOf(k);
  const summary = summaryFrom(report, dirtyBitOf(source), {
    unbounded() {
      const all = new FindingSink(Number.MAX_SAFE_INTEGER);
      replayNotes(notes, all);
      return { findings: all.findings, countOf };
    },
    countOf: () => countOf,
  });
  return { summary, rewalked: rewalks.size };
}

/** True when cluster 0 of the state equals the base's but for the dirty bit (incompatible feature bit 0, v3). */
function onlyDirtyBitDiffers(base: BaseCheck, source: ByteSource): boolean {
  const cs = base.image.clusterSizeBytes;
  const a = readPadded(base.source, 0, cs).slice();
  const b = readPadded(source, 0, cs).slice();
  if (base.image.header.version >= 3) {
    a[79] &= 0xfe;
    b[79] &= 0xfe;
  }
  for (let i = 0; i < cs; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The base's image context over the state's bytes (same size, same cluster 0, same snapshot table). */
function imageLike(base: BaseCheck, source: ByteSource): CheckImage {
  const image = checkImageOf(source, base.meta);
  image.snapshots = base.image.snapshots;
  image.snapshotTable = base.image.snapshotTable;
  return image;
}

interface Rewalked {
  counts: ExpectedRefcounts;
  notes: RecordedNote[];
  walks: Map<number, SegmentWalk>;
  /** Per cluster, the base references taken out with the entries walked again. */
  removed: Map<number, number>;
  counters: AllocationCounters;
  spentBytes: number;
}

/** Walks each L1 entry of `rewalks` again on the state, moving the base's counts, counters and budget. */
function rewalk(base: BaseCheck, image: CheckImage, source: ByteSource, onDisk: OnDiskRefcounts, rewalks: ReadonlyMap<number, Rewalk>): Rewalked | { fallback: FallbackReason } {
  const counts = base.counts.resizedCopy(image.fileClusterCount, image.fileSizeBytes);
  const counters = { ...base.counters };
  let spentBytes = base.spentBytes;
  const notes: RecordedNote[] = [];
  const walks = new Map<number, SegmentWalk>();
  const removed = removedRefs(base, rewalks);
  const moved = new Set<number>();
  for (const [k, n] of removed) {
    counts.shift(k, -n);
    moved.add(k);
  }
  for (const [ordinal, r] of rewalks) {
    if (base.segments.has(ordinal)) {
      const old = base.segmentWalk(ordinal);
      addCounters(counters, old.counters, -1);
      spentBytes -= old.spentBytes;
    }
    const { hi, lo } = entryAt(source, r.l1OffsetBytes + r.l1Index * 8);
    if ((hi | lo) === 0) continue;
    const w = walkSegment(image, onDisk, { ...r, hi, lo }, ordinal);
    spentBytes += w.spentBytes;
    addCounters(counters, w.counters, 1);
    notes.push(...w.notes);
    for (const k of w.refs.clusters) {
      counts.shift(k, 1);
      moved.add(k);
    }
    counts.cover(w.refs.clusterCount);
    walks.set(ordinal, w);
  }
  for (const k of moved) if (counts.countOf(k) > image.refcountMax) return { fallback: 'overflow' };
  if (spentBytes > checkLimits.scanBudgetBytes(image.fileSizeBytes)) return { fallback: 'budget' };
  return { counts, notes, walks, removed, counters, spentBytes };
}

function addCounters(to: AllocationCounters, from: AllocationCounters, sign: 1 | -1): void {
  to.allocatedClusters += sign * from.allocatedClusters;
  to.fragmentedClusters += sign * from.fragmentedClusters;
  to.compressedClusters += sign * from.compressedClusters;
}

/**
 * Who references `cluster` in the state, in walk order, as many as the checker names: the base's
 * references from L1 entries not walked again (looked up in its index only when some remain),
 * those of the entries walked again, then the tail's.
 */
function sourcesOf(base: BaseCheck, cluster: number, walked: Rewalked, rewalks: ReadonlyMap<number, Rewalk>, tail: TailRefs): ReferenceSource[] {
  const found: Array<{ ordinal: number; source: ReferenceSource }> = [];
  if (base.counts.countOf(cluster) - (walked.removed.get(cluster) ?? 0) > 0) {
    const index = base.index();
    for (const r of index.ofCluster(cluster)) {
      const ordinal = index.ordinalAt(r);
      if (!rewalks.has(ordinal)) found.push({ ordinal, source: index.sourceAt(r) });
    }
  }
  for (const [ordinal, w] of walked.walks) {
    w.refs.clusters.forEach((k, i) => {
      if (k === cluster) found.push({ ordinal, source: w.refs.sourceAt(i) });
    });
  }
  found.sort(byOrdinal);
  const out = found.map((f) => f.source);
  tail.clusters.forEach((k, i) => {
    if (k === cluster) out.push(tail.sources[i]);
  });
  return out.slice(0, SOURCES_PER_CLUSTER_MAX);
}
