/**
 * Compares each cluster's stored refcount with its reference count (RC-6), as qemu-img check does:
 * fewer stored is a corruption, more is a leak, and a cluster in an unreadable refcount block is a
 * check error. Also finds the highest cluster with a refcount or a reference (image-end-offset).
 */
import { refcountMismatchFinding } from '../../spec/invariants/refcounts.js';
import { finding, type Finding } from '../../spec/invariants/finding.js';
import type { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import type { FindingSink } from '../../spec/walk/finding-sink.js';
import type { OnDiskRefcounts } from '../../spec/walk/on-disk-refcounts.js';

export interface CompareResult {
  /** Highest cluster index with a stored refcount or a reference (0 when none). */
  highestClusterIndex: number;
  /** The mismatch findings kept as witnesses, by cluster, so their sources can be added later. */
  witnesses: Map<number, Finding>;
}

export function compareRefcounts(expected: ExpectedRefcounts, onDisk: OnDiskRefcounts, sink: FindingSink, clusterSizeBytes: number): CompareResult {
  const n = expected.clusterCount;
  const perBlock = 2 ** onDisk.refblockBits;
  const scan: CompareScan = { expected, onDisk, sink, clusterSizeBytes, highest: 0, witnesses: new Map() };
  for (let blockStart = 0; blockStart < n; blockStart += perBlock) {
    const blockEnd = Math.min(n, blockStart + perBlock);
    if (onDisk.unreadable.size !== 0 && onDisk.unreadable.has(blockStart / perBlock)) {
      reportUnreadable(sink, blockStart, blockEnd, onDisk.refblockOffsetOf(blockStart / perBlock));
      continue;
    }
    compareRange(scan, blockStart, blockEnd);
  }
  return { highestClusterIndex: scan.highest, witnesses: scan.witnesses };
}

interface CompareScan {
  expected: ExpectedRefcounts;
  onDisk: OnDiskRefcounts;
  sink: FindingSink;
  clusterSizeBytes: number;
  highest: number;
  witnesses: Map<number, Finding>;
}

/**
 * Compares clusters [from, to): four at a time while both sides hold the same small counts (the
 * common case), one at a time otherwise. `from` is a multiple of 4 (refcount blocks hold at least 64).
 */
function compareRange(scan: CompareScan, from: number, to: number): void {
  const counts = scan.expected.counts;
  const stored = scan.onDisk.saturated;
  const words = Math.floor((to - from) / 4);
  const a = new Uint32Array(counts.buffer, counts.byteOffset + from, words);
  const b = new Uint32Array(stored.buffer, stored.byteOffset + from, words);
  for (let w = 0; w < words; w++) {
    const x = a[w] | 0; // int32: no deopt on words with bit 31 set
    if (x === (b[w] | 0) && (x & 0x80808080) === 0) {
      if (x !== 0) scan.highest = from + w * 4 + 3 - (Math.clz32(x) >>> 3);
      continue;
    }
    for (let i = from + w * 4; i < from + w * 4 + 4; i++) compareCluster(scan, i);
  }
  for (let i = from + words * 4; i < to; i++) compareCluster(scan, i);
}

function compareCluster(scan: CompareScan, i: number): void {
  const e = scan.expected.counts[i];
  const d = scan.onDisk.saturated[i];
  if (e === d && e !== 255) {
    if (e !== 0) scan.highest = i;
    return;
  }
  const referenceCount = scan.expected.countOf(i);
  const storedRefcount = d === 255 ? scan.onDisk.exact(i) : d;
  if (referenceCount > 0 || storedRefcount > 0) scan.highest = i;
  if (referenceCount === storedRefcount) return;
  const kind = storedRefcount < referenceCount ? 'corruption' : 'leak';
  const keep = scan.sink.wants('RC-6', kind);
  scan.sink.note('RC-6', kind, 1, () => refcountMismatchFinding(i, scan.clusterSizeBytes, storedRefcount, referenceCount, '')!);
  if (keep) scan.witnesses.set(i, scan.sink.findings[scan.sink.findings.length - 1]);
}

function reportUnreadable(sink: FindingSink, first: number, end: number, refblockOffsetBytes: number): void {
  sink.note('RC-1', 'check-error', end - first, () =>
    finding('RC-1', 'check-error', `clusters ${first}..${end - 1}`, `their refcount block at 0x${refblockOffsetBytes.toString(16)} is not cluster-aligned or lies past QEMU's request range, so their refcounts cannot be read (one check error per cluster, as qemu-img counts)`),
  );
}
