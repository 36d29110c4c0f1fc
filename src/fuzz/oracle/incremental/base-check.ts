/**
 * BaseCheck: the check of a crash point's last flushed image (its durable file), done once in
 * full and kept in parts, so that each crash state of the point is judged by walking again only
 * what its writes changed (incremental-check.ts). It runs the checker's own stages and walk
 * (spec/walk) up to the end of the L1 tables, marking each part of the walk (WalkMarks): the
 * findings of each part (RecordingSink), the L1 entries walked, the counts before the walk's
 * tail, the stored refcounts, and which host clusters hold which structure (roles). On demand it
 * walks one L1 entry alone (what it referenced, for taking it out of the counts) or the L1
 * tables again with every reference's source (ReferenceIndex). The tail and the refcount
 * comparison are made per state.
 *
 * `null` when the image is outside what the incremental judge handles (its states then get the
 * full check): it cannot be walked to the end, a count overflows (RC-8), a reference ends past
 * the last cluster, it has bitmaps, an encryption header or a refcount block QEMU cannot read.
 */
import { readPadded, type ByteSource } from '../../../../spec/format/byte-source.js';
import { l1EntryL2OffsetBytesClamped } from '../../../../spec/format/l1-entry.js';
import type { ImageMeta } from '../../../../spec/format/image-meta.js';
import { TableView } from '../../../../spec/format/table-view.js';
import { bitmapStage } from '../../../../spec/walk/bitmap-stage.js';
import { checkImageOf, type CheckImage } from '../../../../spec/walk/check-image-context.js';
import { checkLimits } from '../../../../spec/walk/check-limits.js';
import { clusterCountAllowed } from '../../../../spec/walk/compute-references.js';
import { ExpectedRefcounts } from '../../../../spec/walk/expected-refcounts.js';
import { FindingSink } from '../../../../spec/walk/finding-sink.js';
import { OnDiskRefcounts } from '../../../../spec/walk/on-disk-refcounts.js';
import { openStage } from '../../../../spec/walk/open-stage.js';
import { walkL1Tables } from '../../../../spec/walk/reference-walk.js';
import { readReftable } from '../../../../spec/walk/reftable-reader.js';
import { snapshotStage } from '../../../../spec/walk/snapshot-stage.js';
import { clampOffset } from '../../../../spec/walk/table-chunks.js';
import { WalkPart, type WalkMarks } from '../../../../spec/walk/walk-marks.js';
import { walkStateOf, type AllocationCounters } from '../../../../spec/walk/walk-state.js';
import { RecordingSink, type RecordedNote } from './recording-sink.js';
import { ReferenceIndex } from './reference-index.js';
import { walkSegment, type SegmentWalk } from './segment-walk.js';
import { STAGE_ORDINAL, walkOrdinal } from './walk-ordinal.js';

/** An L1 table the walk walked. */
export interface WalkedL1Table {
  snapshotIndex: number;
  offsetBytes: number;
  entryCount: number;
  /** Its entries as stored (zeros past the end of the file). */
  entries: TableView;
}

/** A non-zero L1 entry of the flushed image that the walk walked. */
export interface BaseSegment {
  snapshotIndex: number;
  l1Index: number;
  table: WalkedL1Table;
}

/** What a host cluster of the flushed image holds, as far as the walk reads it. */
export type ClusterRole =
  | { kind: 'header' }
  | { kind: 'fixed'; what: string }
  | { kind: 'l1'; table: WalkedL1Table }
  | { kind: 'l2'; ordinal: number }
  | { kind: 'refblock'; reftableIndex: number };

export interface BaseCheck {
  source: ByteSource;
  sizeBytes: number;
  meta: ImageMeta;
  image: CheckImage;
  /** Findings of the stages before the walk, and of the walk of the L1 tables, in order. */
  stageNotes: RecordedNote[];
  walkNotes: RecordedNote[];
  /** Reference counts after the L1 tables, before the walk's tail. */
  counts: ExpectedRefcounts;
  onDisk: OnDiskRefcounts;
  reftable: TableView;
  /** The allocation counters of the whole walk (only the active table's L2 tables move them). */
  counters: AllocationCounters;
  /** Scan budget spent by the walk of the L1 tables. */
  spentBytes: number;
  /** Per L1 entry walked (by walk ordinal). */
  segments: Map<number, BaseSegment>;
  l1Tables: WalkedL1Table[];
  /** Per host cluster, what it holds. */
  roles: Map<number, ClusterRole[]>;
  /** True when the walk refused a reference past the end of the file (AL-4): a state of another size needs the full check. */
  beyondEnd: boolean;
  /** True when an L1 table does not lie wholly inside the file. */
  l1PastEnd: boolean;
  /** Every reference of the L1 tables' walk with its source (walked again on first use: few states need it). */
  index(): ReferenceIndex;
  /** What one L1 entry of this image references, walked alone (cached). */
  segmentWalk(ordinal: number): SegmentWalk;
}

/** The base check of the image behind `source`, or null when its states need the full check. */
export function baseCheckOf(source: ByteSource): BaseCheck | null {
  const sink = new RecordingSink(STAGE_ORDINAL);
  const meta = openStage(source, sink);
  if (meta === null) return null;
  const image = checkImageOf(source, meta);
  if (!clusterCountAllowed(image, sink) || !bitmapStage(image, sink) || !snapshotStage(image, sink)) return null;
  if (image.bitmapDirectory !== null || image.bitmaps.length > 0 || image.encryptionHeader !== null) return null;
  const stageNotes = sink.recorded.splice(0);
  const reftable = new TableView(readReftable(image));
  const onDisk = new OnDiskRefcounts(source, reftable.bytes, image.clusterBits, image.refcountOrder, image.fileClusterCount + 1);
  if (onDisk.unreadable.size > 0) return null;
  const counts = new ExpectedRefcounts(image.fileClusterCount, image.fileSizeBytes, image.clusterBits, image.refcountMax);
  const state = walkStateOf(image, counts, sink, onDisk);
  const recorder = new SegmentRecorder(image, (ordinal) => (sink.ordinal = ordinal));
  state.marks = recorder;
  if (!walkL1Tables(state)) return null;
  const walkNotes = sink.recorded;
  if (walkNotes.some((n) => n.rule === 'RC-8') || counts.clusterCount > image.fileClusterCount) return null;
  const segments = recorder.segments;
  let index: ReferenceIndex | null = null;
  const walks = new Map<number, SegmentWalk>();
  return {
    source,
    sizeBytes: source.sizeBytes,
    meta,
    image,
    stageNotes,
    walkNotes,
    counts,
    onDisk,
    reftable,
    counters: { ...state.counters },
    spentBytes: checkLimits.scanBudgetBytes(image.fileSizeBytes) - state.budgetBytes,
    segments,
    l1Tables: recorder.tables,
    roles: rolesOf(image, recorder.tables, segments, onDisk),
    beyondEnd: walkNotes.some((n) => n.rule === 'AL-4'),
    l1PastEnd: recorder.tables.some((t) => t.offsetBytes + t.entryCount * 8 > image.fileSizeBytes),
    index: () => (index ??= indexOf(image)),
    segmentWalk(ordinal) {
      let w = walks.get(ordinal);
      if (w === undefined) {
        const seg = segments.get(ordinal)!;
        const { table, l1Index } = seg;
        w = walkSegment(image, onDisk, { snapshotIndex: seg.snapshotIndex, l1OffsetBytes: table.offsetBytes, l1Index, hi: table.entries.hi(l1Index), lo: table.entries.lo(l1Index) }, ordinal);
        walks.set(ordinal, w);
      }
      return w;
    },
  };
}

/** The walk of the L1 tables again, remembering every reference (ReferenceIndex). */
function indexOf(image: CheckImage): ReferenceIndex {
  const index = new ReferenceIndex(new ExpectedRefcounts(image.fileClusterCount, image.fileSizeBytes, image.clusterBits, image.refcountMax));
  const state = walkStateOf(image, index, new FindingSink(0), null);
  state.marks = new SegmentRecorder(image, (ordinal) => (index.ordinal = ordinal));
  walkL1Tables(state);
  return index;
}

/** Follows the walk's marks: tells `enter` each part's ordinal, and records the L1 tables and entries walked. */
class SegmentRecorder implements WalkMarks {
  readonly segments = new Map<number, BaseSegment>();
  readonly tables: WalkedL1Table[] = [];

  constructor(
    private readonly image: CheckImage,
    private readonly enter: (ordinal: number) => void,
  ) {}

  mark(part: WalkPart, snapshotIndex: number, l1Index: number): void {
    const ordinal = walkOrdinal(part, snapshotIndex, l1Index);
    this.enter(ordinal);
    if (part === WalkPart.l1Table) this.tables.push(this.tableOf(snapshotIndex));
    if (part === WalkPart.l1Entry) this.segments.set(ordinal, { snapshotIndex, l1Index, table: this.tables[this.tables.length - 1] });
  }

  private tableOf(snapshotIndex: number): WalkedL1Table {
    const image = this.image;
    const t = snapshotIndex < 0 ? image.l1 : { offsetBytes: clampOffset(image.snapshots[snapshotIndex].l1TableOffset), entryCount: image.snapshots[snapshotIndex].l1EntryCount };
    return { snapshotIndex, offsetBytes: t.offsetBytes, entryCount: t.entryCount, entries: new TableView(readPadded(image.source, t.offsetBytes, t.entryCount * 8)) };
  }
}

/** Per host cluster, the structures the walk reads there. */
function rolesOf(image: CheckImage, tables: readonly WalkedL1Table[], segments: ReadonlyMap<number, BaseSegment>, onDisk: OnDiskRefcounts): Map<number, ClusterRole[]> {
  const roles = new Map<number, ClusterRole[]>();
  const cs = image.clusterSizeBytes;
  const put = (offsetBytes: number, sizeBytes: number, role: ClusterRole): void => {
    if (sizeBytes <= 0) return;
    const last = Math.floor((offsetBytes + sizeBytes - 1) / cs);
    for (let k = Math.floor(offsetBytes / cs); k <= last; k++) {
      const list = roles.get(k);
      if (list) list.push(role);
      else roles.set(k, [role]);
    }
  };
  put(0, cs, { kind: 'header' });
  put(image.reftable.offsetBytes, image.reftable.entryCount * 8, { kind: 'fixed', what: 'refcount table' });
  if (image.snapshots.length > 0) put(image.snapshotTable.offsetBytes, image.snapshotTable.sizeBytes, { kind: 'fixed', what: 'snapshot table' });
  for (const table of tables) put(table.offsetBytes, table.entryCount * 8, { kind: 'l1', table });
  for (const [ordinal, seg] of segments) {
    const l2OffsetBytes = l1EntryL2OffsetBytesClamped(seg.table.entries.hi(seg.l1Index), seg.table.entries.lo(seg.l1Index));
    if (l2OffsetBytes < image.fileSizeBytes) put(l2OffsetBytes, cs, { kind: 'l2', ordinal });
  }
  for (let b = 0; b < onDisk.reftableEntryCount; b++) {
    const offsetBytes = onDisk.refblockOffsetOf(b);
    if (offsetBytes !== 0) put(offsetBytes, cs, { kind: 'refblock', reftableIndex: b });
  }
  return roles;
}
