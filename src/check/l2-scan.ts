/**
 * The hot loop: one L2 table, entry by entry, as qemu-img check walks it. For each entry it judges
 * the per-entry rules (mapping.ts), adds the clusters it references, counts allocation and
 * fragmentation (active table only) and checks COPIED against the stored refcount (active only).
 * It allocates nothing on the clean path: entries are read as 32-bit halves.
 */
import { decodeCompressedDescriptor } from '../../spec/format/compressed-descriptor.js';
import { COPIED_HI_BIT } from '../../spec/format/l1-entry.js';
import { ClusterType, clusterTypeOf } from '../../spec/format/l2-entry.js';
import { entryHex, finding, hexOf } from '../../spec/invariants/finding.js';
import { L2Violation, violationFindings } from '../../spec/invariants/l2-violations.js';
import { clusterAlignMaskLo, copiedMismatch, l2EntryViolations } from '../../spec/invariants/mapping.js';
import { ExpectedRefcounts } from './expected-refcounts.js';
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

/**
 * Scans one L2 table (`table` = one cluster). `active` turns on qemu-img check's allocation
 * counters; `copiedCheck` the COPIED-versus-refcount check (active tables, real L2 offsets only).
 */
export function scanL2Table(state: WalkState, table: Uint8Array, at: L2Location, active: boolean, copiedCheck: boolean): void {
  const image = state.image;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const entryCount = image.l2EntryCount;
  const step = image.l2EntrySizeBytes;
  const clusterBits = image.clusterBits;
  const clusterSizeBytes = image.clusterSizeBytes;
  const refs = state.refs;
  const onDisk = copiedCheck ? state.onDisk : null;
  // Direct access to the counts and stored refcounts when the sink and reader allow it.
  const counts = refs instanceof ExpectedRefcounts ? refs.counts : null;
  const countLimit = refs instanceof ExpectedRefcounts ? refs.fastLimit : 0;
  const fileClusters = image.fileClusterCount;
  const stored = onDisk !== null && onDisk.unreadable.size === 0 ? onDisk.saturated : null;
  // The fast path takes the common entry of a standard table without a data file: a normal,
  // aligned cluster without reserved bits or zero flag. Everything else goes to scanEntry.
  const fast = !image.mapping.extendedL2 && !image.mapping.externalDataFile;
  const loBad = 0x1ff | clusterAlignMaskLo(clusterBits);
  // Offsets below 2^(31 + clusterBits) give int32 cluster indexes: the fast path's arithmetic.
  const smallHiLimit = 2 ** (clusterBits - 1);
  const shift = 32 - clusterBits;
  const run: ScanRun = { next: 0, allocated: 0, fragmented: 0, compressed: 0 };
  let nextCluster = -1; // the cluster that continues the run (qemu-img's next_contiguous_offset); -1 none
  let allocated = 0;
  let fragmented = 0;
  for (let j = 0, p = 0; j < entryCount; j++, p += step) {
    const hi = view.getUint32(p, false);
    const lo = view.getUint32(p + 4, false);
    if (fast) {
      if ((hi | lo) === 0) continue;
      const offsetHi = hi & 0x00ffffff;
      if ((hi & 0x7f000000) === 0 && (lo & loBad) === 0 && offsetHi < smallHiLimit && offsetHi + lo !== 0) {
        const clusterIndex = (offsetHi << shift) | (lo >>> clusterBits);
        if (active) {
          allocated++;
          if (nextCluster !== -1 && clusterIndex !== nextCluster) fragmented++;
          nextCluster = clusterIndex + 1;
        }
        const v = counts !== null && clusterIndex < fileClusters ? counts[clusterIndex] : 255;
        if (v < countLimit) counts![clusterIndex] = v + 1;
        else {
          const status = refs.addCluster(clusterIndex, SourceKind.dataCluster, at.snapshotIndex, at.l1Index, j);
          if (status !== 0) reportAddStatus(state, status, entryWhere(at, j), clusterIndex * clusterSizeBytes, clusterSizeBytes, clusterIndex);
        }
        if (onDisk !== null) {
          const refcount = stored !== null && clusterIndex < stored.length ? stored[clusterIndex] : onDisk.saturatedOf(clusterIndex);
          if (refcount !== UNREADABLE && hi >>> 31 !== (refcount === 1 ? 1 : 0)) reportCopied(state, at, j, hi, lo, refcount, clusterIndex);
        }
        continue;
      }
    }
    const bitmapHi = step === 16 ? view.getUint32(p + 8, false) : 0;
    const bitmapLo = step === 16 ? view.getUint32(p + 12, false) : 0;
    if ((hi | lo | bitmapHi | bitmapLo) === 0) continue;
    if (nextCluster !== -2) run.next = nextCluster === -1 ? 0 : nextCluster * clusterSizeBytes;
    run.allocated = allocated;
    run.fragmented = fragmented;
    scanEntry(state, run, at, j, hi, lo, bitmapHi, bitmapLo, active, copiedCheck);
    // An unaligned run end (-2) matches no aligned cluster.
    nextCluster = run.next === 0 ? -1 : run.next % clusterSizeBytes === 0 ? run.next / clusterSizeBytes : -2;
    allocated = run.allocated;
    fragmented = run.fragmented;
  }
  if (active) {
    state.counters.allocatedClusters += allocated;
    state.counters.fragmentedClusters += fragmented;
    state.counters.compressedClusters += run.compressed;
  }
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
  const mask = l2EntryViolations(type, hi, lo, bitmapHi, bitmapLo, mapping, (at.l1Index * image.l2EntryCount + j) * clusterSizeBytes);
  if (mask !== 0) reportViolations(state, mask, at, j, hi, lo);
  if (type === ClusterType.compressed) {
    if ((mask & SKIPS_REFERENCE) !== 0) return;
    const d = decodeCompressedDescriptor(hi, lo, clusterBits);
    const status = state.refs.add(d.hostOffsetBytes, d.sizeBytes, SourceKind.compressedData, at.snapshotIndex, at.l1Index, j);
    if (status !== 0) reportAddStatus(state, status, entryWhere(at, j), d.hostOffsetBytes, d.sizeBytes, Math.floor(d.hostOffsetBytes / clusterSizeBytes));
    if (active) {
      run.allocated++;
      run.compressed++;
      run.fragmented++;
    }
    return;
  }
  if (type !== ClusterType.normal && type !== ClusterType.zeroAlloc) return;
  const offsetHi = hi & 0x00ffffff;
  const offsetLo = (lo & 0xfffffe00) >>> 0;
  const offsetBytes = offsetHi * 4294967296 + offsetLo;
  const clusterIndex = offsetHi * 2 ** (32 - clusterBits) + (offsetLo >>> clusterBits);
  if (active) {
    run.allocated++;
    if (run.next !== 0 && offsetBytes !== run.next) run.fragmented++;
    run.next = offsetBytes + clusterSizeBytes;
  }
  if (!dataFile) {
    const aligned = (offsetLo & clusterAlignMaskLo(clusterBits)) === 0;
    const status = aligned
      ? state.refs.addCluster(clusterIndex, SourceKind.dataCluster, at.snapshotIndex, at.l1Index, j)
      : state.refs.add(offsetBytes, clusterSizeBytes, SourceKind.dataCluster, at.snapshotIndex, at.l1Index, j);
    if (status !== 0) reportAddStatus(state, status, entryWhere(at, j), offsetBytes, clusterSizeBytes, clusterIndex);
  }
  if (copiedCheck) {
    const refcount = dataFile || state.onDisk === null ? 1 : state.onDisk.saturatedOf(clusterIndex);
    if (refcount !== UNREADABLE && copiedMismatch((hi & COPIED_HI_BIT) !== 0, refcount)) reportCopied(state, at, j, hi, lo, refcount, clusterIndex);
  }
}

function reportViolations(state: WalkState, mask: number, at: L2Location, j: number, hi: number, lo: number): void {
  for (const f of violationFindings(mask, entryWhere(at, j), entryHex(hi, lo))) state.sink.note(f.rule, f.kind, 1, () => f);
}

function reportCopied(state: WalkState, at: L2Location, j: number, hi: number, lo: number, refcount: number, clusterIndex: number): void {
  const exact = refcount >= 255 && state.onDisk !== null ? state.onDisk.exact(clusterIndex) : refcount;
  const copied = (hi & COPIED_HI_BIT) !== 0;
  state.sink.note('L2-2', 'corruption', 1, () =>
    finding('L2-2', 'corruption', entryWhere(at, j), `COPIED is ${copied ? 'set' : 'clear'} but the cluster's refcount is ${exact} (entry ${entryHex(hi, lo)})`),
  );
}
