/**
 * The hot loop: one L2 table, entry by entry, as qemu-img check walks it. For each entry it judges
 * the per-entry rules (mapping.ts), adds the clusters it references, counts allocation and
 * fragmentation (active table only) and checks COPIED against the stored refcount (active only).
 * It allocates nothing on the clean path: entries are read as 32-bit halves.
 */
import { decodeCompressedDescriptor } from '../format/compressed-descriptor.js';
import { clusterAlignMaskLo, clusterIndexToOffset, isClusterAligned, offsetToClusterIndex } from '../format/geometry.js';
import { hasCopied } from '../format/l1-entry.js';
import { ClusterType, clusterTypeOf, L2_NOT_PLAIN_HI_MASK, L2_RESERVED_LO_MASK, l2HostClusterIndex, l2HostOffsetAligned, l2HostOffsetBytes, ZERO_LO_BIT } from '../format/l2-entry.js';
import { entryHex, hexOf, type EntryRef } from '../invariants/finding.js';
import { L2Violation, violationFindings } from '../invariants/l2-violations.js';
import { copiedMismatch, copiedMismatchFinding, l2EntryViolations } from '../invariants/mapping.js';
import { ExpectedRefcounts } from './expected-refcounts.js';
import { takeFastEntries, type FastPathContext, type FastPathRun } from './l2-fast-path.js';
import { UNREADABLE } from './on-disk-refcounts.js';
import { SourceKind } from './reference-source.js';
import { reportAddStatus, type WalkState } from './walk-state.js';

const SKIPS_REFERENCE = L2Violation.compressedWithDataFile | L2Violation.compressedBitmap;

/** Where an L2 table sits, for the findings of its entries. */
export interface L2Location {
  l2OffsetBytes: number;
  l1Index: number;
  /** -1 for the active L1 table. */
  snapshotIndex: number;
}

function entryWhere(at: L2Location, entryIndex: number): string {
  const owner = at.snapshotIndex >= 0 ? `snapshot[${at.snapshotIndex}] ` : '';
  return `${owner}L1[${at.l1Index}] -> L2 @${hexOf(at.l2OffsetBytes)} entry ${entryIndex}`;
}

/** Entry `entryIndex` of the L2 table at `at`, for a witness. */
function l2EntryRef(at: L2Location, entryIndex: number, hi: number, lo: number): EntryRef {
  return { table: 'l2', tableOffsetBytes: at.l2OffsetBytes, entryIndex, hi, lo, snapshotIndex: at.snapshotIndex };
}

/**
 * Scans one L2 table (`table` = one cluster). `active` turns on qemu-img check's allocation
 * counters; `copiedCheck` the COPIED-versus-refcount check (active tables, real L2 offsets only).
 */
export function scanL2Table(state: WalkState, table: Uint8Array, at: L2Location, active: boolean, copiedCheck: boolean): void {
  const image = state.image;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const entryCount = image.l2EntryCount;
  const step = image.l2EntrySizeBytes;
  const g = image.meta.geometry;
  const fast = fastPathOf(state, active, copiedCheck);
  const run: ScanRun = { next: 0, allocated: 0, fragmented: 0, compressed: 0 };
  const fastRun: FastPathRun = { nextCluster: -1, allocated: 0, fragmented: 0 };
  for (let j = 0; j < entryCount; j++) {
    if (fast !== null) {
      j = takeFastEntries(view, j, entryCount, fast, fastRun);
      if (j >= entryCount) break;
    }
    const p = j * step;
    const hi = view.getUint32(p, false);
    const lo = view.getUint32(p + 4, false);
    const bitmapHi = step === 16 ? view.getUint32(p + 8, false) : 0;
    const bitmapLo = step === 16 ? view.getUint32(p + 12, false) : 0;
    if ((hi | lo | bitmapHi | bitmapLo) === 0) continue;
    // Hand the counters over in bytes (an unaligned run end, -2, keeps the byte value scanEntry left).
    if (fastRun.nextCluster !== -2) run.next = fastRun.nextCluster === -1 ? 0 : clusterIndexToOffset(g, fastRun.nextCluster);
    run.allocated = fastRun.allocated;
    run.fragmented = fastRun.fragmented;
    scanEntry(state, run, at, j, hi, lo, bitmapHi, bitmapLo, active, copiedCheck);
    fastRun.nextCluster = run.next === 0 ? -1 : isClusterAligned(g, run.next) ? offsetToClusterIndex(g, run.next) : -2;
    fastRun.allocated = run.allocated;
    fastRun.fragmented = run.fragmented;
  }
  if (active) {
    state.counters.allocatedClusters += fastRun.allocated;
    state.counters.fragmentedClusters += fastRun.fragmented;
    state.counters.compressedClusters += run.compressed;
  }
}

/** The fast path's context for this table, or null when the table or the walk cannot take it. */
function fastPathOf(state: WalkState, active: boolean, copiedCheck: boolean): FastPathContext | null {
  const image = state.image;
  if (image.mapping.extendedL2 || image.mapping.externalDataFile || !(state.refs instanceof ExpectedRefcounts)) return null;
  const onDisk = copiedCheck ? state.onDisk : null;
  if (onDisk !== null && onDisk.unreadable.size !== 0) return null;
  return {
    counts: state.refs.counts,
    countLimit: state.refs.fastLimit,
    stored: onDisk === null ? null : onDisk.saturated,
    fileClusterCount: Math.min(image.fileClusterCount, onDisk === null ? Infinity : onDisk.saturated.length),
    clusterBits: image.clusterBits,
    hiBadMask: L2_NOT_PLAIN_HI_MASK,
    loBadMask: L2_RESERVED_LO_MASK | ZERO_LO_BIT | clusterAlignMaskLo(image.clusterBits),
    active,
  };
}

/** Per-table running state of the allocation counters (qemu-img check resets "next" per L2 table). */
interface ScanRun {
  next: number;
  allocated: number;
  fragmented: number;
  compressed: number;
}

/** Any entry, judged in full: every per-entry rule, references, counters, COPIED. */
function scanEntry(state: WalkState, run: ScanRun, at: L2Location, j: number, hi: number, lo: number, bitmapHi: number, bitmapLo: number, active: boolean, copiedCheck: boolean): void {
  const image = state.image;
  const mapping = image.mapping;
  const clusterBits = image.clusterBits;
  const clusterSizeBytes = image.clusterSizeBytes;
  const dataFile = mapping.externalDataFile;
  const type = clusterTypeOf(hi, lo, mapping.extendedL2, dataFile);
  const mask = l2EntryViolations(type, hi, lo, bitmapHi, bitmapLo, mapping, clusterIndexToOffset(image.meta.geometry, at.l1Index * image.l2EntryCount + j));
  if (mask !== 0) reportViolations(state, mask, at, j, hi, lo);
  if (type === ClusterType.compressed) {
    if ((mask & SKIPS_REFERENCE) !== 0) return;
    const d = decodeCompressedDescriptor(hi, lo, clusterBits);
    const status = state.refs.add(d.hostOffsetBytes, d.sizeBytes, SourceKind.compressedData, at.snapshotIndex, at.l1Index, j);
    if (status !== 0) reportAddStatus(state, status, entryWhere(at, j), d.hostOffsetBytes, d.sizeBytes, offsetToClusterIndex(image.meta.geometry, d.hostOffsetBytes), l2EntryRef(at, j, hi, lo));
    if (active) {
      run.allocated++;
      run.compressed++;
      run.fragmented++;
    }
    return;
  }
  if (type !== ClusterType.normal && type !== ClusterType.zeroAlloc) return;
  const offsetBytes = l2HostOffsetBytes(hi, lo);
  const clusterIndex = l2HostClusterIndex(hi, lo, clusterBits);
  if (active) {
    run.allocated++;
    if (run.next !== 0 && offsetBytes !== run.next) run.fragmented++;
    run.next = offsetBytes + clusterSizeBytes;
  }
  if (!dataFile) {
    const aligned = l2HostOffsetAligned(lo, clusterBits);
    const status = aligned
      ? state.refs.addCluster(clusterIndex, SourceKind.dataCluster, at.snapshotIndex, at.l1Index, j)
      : state.refs.add(offsetBytes, clusterSizeBytes, SourceKind.dataCluster, at.snapshotIndex, at.l1Index, j);
    if (status !== 0) reportAddStatus(state, status, entryWhere(at, j), offsetBytes, clusterSizeBytes, clusterIndex, l2EntryRef(at, j, hi, lo));
  }
  if (copiedCheck) {
    const refcount = dataFile || state.onDisk === null ? 1 : state.onDisk.saturatedOf(clusterIndex);
    if (refcount !== UNREADABLE && copiedMismatch(hasCopied(hi), refcount)) reportCopied(state, at, j, hi, lo, refcount, clusterIndex, offsetBytes);
  }
}

function reportViolations(state: WalkState, mask: number, at: L2Location, j: number, hi: number, lo: number): void {
  for (const f of violationFindings(mask, entryWhere(at, j), entryHex(hi, lo))) state.sink.note(f.rule, f.kind, 1, () => f);
}

function reportCopied(state: WalkState, at: L2Location, j: number, hi: number, lo: number, refcount: number, clusterIndex: number, offsetBytes: number): void {
  const storedRefcount = refcount >= 255 && state.onDisk !== null ? state.onDisk.exact(clusterIndex) : refcount;
  state.sink.note('L2-2', 'corruption', 1, () =>
    copiedMismatchFinding(entryWhere(at, j), { table: 'l2', tableOffsetBytes: at.l2OffsetBytes, entryIndex: j, hi, lo, referencedOffsetBytes: offsetBytes, clusterIndex, storedRefcount }),
  );
}
