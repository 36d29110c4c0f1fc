/**
 * One L1 table (active or a snapshot's), as qemu-img check walks it: the L1 clusters are
 * referenced, every non-zero entry is judged (L1-2), its L2 table referenced, COPIED checked
 * (active table only, L1-3) and the L2 table scanned. L2 tables that follow each other on disk are
 * read together, up to checkLimits.readChunkBytes at a time.
 */
import { readPadded } from '../format/byte-source.js';
import { isClusterAligned, offsetToClusterIndex } from '../format/geometry.js';
import { hasCopied, l1EntryL2OffsetBytesClamped } from '../format/l1-entry.js';
import { TableView } from '../format/table-view.js';
import { entryHex, hexOf } from '../invariants/finding.js';
import { violationFindings } from '../invariants/l2-violations.js';
import { copiedMismatch, copiedMismatchFinding, l1EntryViolations } from '../invariants/mapping.js';
import { checkLimits } from './check-limits.js';
import { scanL2Table } from './l2-scan.js';
import { UNREADABLE } from './on-disk-refcounts.js';
import { SourceKind } from './reference-source.js';
import { forEachTableChunk } from './table-chunks.js';
import { WalkPart } from './walk-marks.js';
import { reportAddStatus, spend, type WalkState } from './walk-state.js';

/**
 * Walks the L1 table of `entryCount` entries at `offsetBytes`. `snapshotIndex` is -1 for the active
 * table. Returns false when the scan budget ran out.
 */
export function walkL1Table(state: WalkState, offsetBytes: number, entryCount: number, snapshotIndex: number): boolean {
  state.marks?.mark(WalkPart.l1Table, snapshotIndex, -1);
  if (entryCount === 0) return true;
  const owner = l1OwnerOf(snapshotIndex);
  const status = state.refs.add(offsetBytes, entryCount * 8, SourceKind.l1Table, snapshotIndex, 0, 0);
  if (status !== 0) reportAddStatus(state, status, `${owner} @${hexOf(offsetBytes)}`, offsetBytes, entryCount * 8, offsetToClusterIndex(state.image.meta.geometry, offsetBytes));
  let ok = true;
  forEachTableChunk(state.image.source, offsetBytes, entryCount, 8, (chunk, first) => {
    if (!ok) return;
    if (!spend(state, chunk.length)) {
      ok = false;
      return;
    }
    ok = walkL1Chunk(state, new TableView(chunk), first, snapshotIndex, offsetBytes);
  });
  return ok;
}

/** "active L1 table" or "snapshot[i] L1 table". */
function l1OwnerOf(snapshotIndex: number): string {
  return snapshotIndex < 0 ? 'active L1 table' : `snapshot[${snapshotIndex}] L1 table`;
}

function walkL1Chunk(state: WalkState, l1: TableView, firstIndex: number, snapshotIndex: number, l1OffsetBytes: number): boolean {
  const reader = new L2RunReader(state, l1);
  for (let w = 0; w < l1.wordCount; w++) {
    const hi = l1.hi(w);
    const lo = l1.lo(w);
    if ((hi | lo) === 0) continue;
    if (!walkL1Entry(state, { hi, lo, index: firstIndex + w, snapshotIndex, l1OffsetBytes }, (offsetBytes) => reader.tableAt(w, offsetBytes))) return false;
  }
  return true;
}

/** One non-zero L1 entry and where it sits. */
export interface L1EntryAt {
  hi: number;
  lo: number;
  index: number;
  /** -1 for the active L1 table. */
  snapshotIndex: number;
  l1OffsetBytes: number;
}

/**
 * One non-zero L1 entry, as walkL1Table walks it: the entry judged (L1-2), its L2 table referenced,
 * COPIED checked (active table only, L1-3) and the L2 table (read through `readTable`, one
 * cluster) scanned. Exported so that one entry can be walked alone (the incremental crash judge
 * re-walks the entries a crash changed). Returns false when the scan budget ran out.
 */
export function walkL1Entry(state: WalkState, e: L1EntryAt, readTable: (offsetBytes: number) => Uint8Array): boolean {
  const { hi, lo, index: i, snapshotIndex, l1OffsetBytes } = e;
  state.marks?.mark(WalkPart.l1Entry, snapshotIndex, i);
  const image = state.image;
  const clusterSizeBytes = image.clusterSizeBytes;
  const active = snapshotIndex < 0;
  const where = `${l1OwnerOf(snapshotIndex)} entry ${i}`;
  const mask = l1EntryViolations(hi, lo, image.clusterBits);
  if (mask !== 0) for (const f of violationFindings(mask, where, entryHex(hi, lo))) state.sink.note(f.rule, f.kind, 1, () => f);
  const l2OffsetBytes = l1EntryL2OffsetBytesClamped(hi, lo);
  const status = state.refs.add(l2OffsetBytes, clusterSizeBytes, SourceKind.l2Table, snapshotIndex, i, 0);
  if (status !== 0) reportAddStatus(state, status, `${where} (L2 table)`, l2OffsetBytes, clusterSizeBytes, offsetToClusterIndex(image.meta.geometry, l2OffsetBytes), { table: 'l1', tableOffsetBytes: l1OffsetBytes, entryIndex: i, hi, lo, snapshotIndex });
  const realOffset = l2OffsetBytes !== 0;
  if (active && realOffset && state.onDisk !== null) checkL1Copied(state, hi, lo, l2OffsetBytes, where, l1OffsetBytes, i);
  if (l2OffsetBytes >= image.fileSizeBytes) return true; // past the end: reads as zeros, references nothing
  if (!spend(state, clusterSizeBytes)) return false;
  scanL2Table(state, readTable(l2OffsetBytes), { l2OffsetBytes, l1Index: i, snapshotIndex }, active, active && realOffset && state.onDisk !== null);
  return true;
}

/** The L2 table (one cluster) at `offsetBytes`, read alone (zeros past the end of the file). */
export function readL2Table(state: WalkState, offsetBytes: number): Uint8Array {
  const g = state.image.meta.geometry;
  if (!isClusterAligned(g, offsetBytes)) return readPadded(state.image.source, offsetBytes, g.clusterSizeBytes);
  return state.l2Reads.read(offsetBytes, g.clusterSizeBytes);
}

function checkL1Copied(state: WalkState, hi: number, lo: number, l2OffsetBytes: number, where: string, l1OffsetBytes: number, entryIndex: number): void {
  const clusterIndex = offsetToClusterIndex(state.image.meta.geometry, l2OffsetBytes);
  const refcount = state.onDisk!.saturatedOf(clusterIndex);
  if (refcount === UNREADABLE || !copiedMismatch(hasCopied(hi), refcount)) return;
  const storedRefcount = refcount >= 255 ? state.onDisk!.exact(clusterIndex) : refcount;
  state.sink.note('L1-3', 'corruption', 1, () =>
    copiedMismatchFinding(where, { table: 'l1', tableOffsetBytes: l1OffsetBytes, entryIndex, hi, lo, referencedOffsetBytes: l2OffsetBytes, clusterIndex, storedRefcount }),
  );
}

/**
 * Reads L2 tables, a run of consecutive ones at a time when the L1 entries point to consecutive
 * clusters, into the walk's reused buffer (a table is valid until the next one is read).
 */
class L2RunReader {
  private runStart = -1;
  private run: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly state: WalkState,
    private readonly l1: TableView,
  ) {}

  /** The L2 table (one cluster) of L1 word `w`, at `offsetBytes`. */
  tableAt(w: number, offsetBytes: number): Uint8Array {
    const g = this.state.image.meta.geometry;
    const clusterSizeBytes = g.clusterSizeBytes;
    const within = offsetBytes - this.runStart;
    if (this.runStart >= 0 && within >= 0 && within + clusterSizeBytes <= this.run.length && isClusterAligned(g, within)) {
      return this.run.subarray(within, within + clusterSizeBytes);
    }
    if (!isClusterAligned(g, offsetBytes)) return readPadded(this.state.image.source, offsetBytes, clusterSizeBytes);
    const maxTables = Math.max(1, Math.floor(checkLimits.readChunkBytes / clusterSizeBytes));
    let tables = 1;
    while (tables < maxTables && w + tables < this.l1.wordCount && l1EntryL2OffsetBytesClamped(this.l1.hi(w + tables), this.l1.lo(w + tables)) === offsetBytes + tables * clusterSizeBytes) tables++;
    this.runStart = offsetBytes;
    this.run = this.state.l2Reads.read(offsetBytes, tables * clusterSizeBytes);
    return this.run.subarray(0, clusterSizeBytes);
  }
}
