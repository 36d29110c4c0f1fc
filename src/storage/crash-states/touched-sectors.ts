import { FormatError } from '../../../spec/format/format-error.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';

/**
 * Largest number of distinct sectors the operations since a flush may touch before the crash
 * model refuses (each needs its own version list): 2^21, i.e. 1 GiB of 512 B sectors. A log beyond
 * it is refused as input over a named limit (rule CRASHCOW-PENDING-SECTORS), not as a bug.
 */
const PENDING_SECTOR_COUNT_MAX = 1 << 21;

/** The byte range an operation changes, given the file size before it (empty for flush). */
export function changedBytes(op: StorageOp, sizeBeforeBytes: number): { fromBytes: number; toBytes: number } {
  const end = op.offsetBytes + op.lengthBytes;
  switch (op.kind) {
    case 'write':
    case 'zeroes':
      return { fromBytes: op.offsetBytes, toBytes: end };
    case 'discard':
      return { fromBytes: op.offsetBytes, toBytes: Math.max(op.offsetBytes, Math.min(end, sizeBeforeBytes)) };
    case 'truncate':
      return { fromBytes: op.offsetBytes, toBytes: Math.max(op.offsetBytes, sizeBeforeBytes) };
    case 'flush':
      return { fromBytes: 0, toBytes: 0 };
  }
}

/**
 * TouchedSectors: the sorted set of sectors a list of byte ranges touches, numbered 0..count-1.
 * A range covers consecutive sector numbers, so each range maps to one slice [lo, hi).
 */
export class TouchedSectors {
  /** Sector indexes (sector = offset / sector size), ascending. */
  readonly sectors: Float64Array;
  /** Per input range, its slice [lo, hi) of `sectors` (lo === hi for an empty range). */
  readonly slices: Array<{ lo: number; hi: number }>;

  /**
   * @param ranges byte ranges [fromBytes, toBytes)
   * @throws FormatError (rule CRASHCOW-PENDING-SECTORS) when more than PENDING_SECTOR_COUNT_MAX
   *   sectors are touched
   */
  constructor(ranges: ReadonlyArray<{ fromBytes: number; toBytes: number }>, readonly sectorSizeBytes: number) {
    const spans = ranges.map((r) => {
      const first = Math.floor(r.fromBytes / sectorSizeBytes);
      return { first, end: r.toBytes > r.fromBytes ? Math.ceil(r.toBytes / sectorSizeBytes) : first };
    });
    const merged = mergeSpans(spans.filter((s) => s.end > s.first));
    const total = merged.reduce((n, s) => n + (s.end - s.first), 0);
    if (total > PENDING_SECTOR_COUNT_MAX) {
      throw new FormatError('CRASHCOW-PENDING-SECTORS', 'operations between two flushes', `${total} sectors touched without a flush; the crash model handles at most ${PENDING_SECTOR_COUNT_MAX}`);
    }
    this.sectors = new Float64Array(total);
    const starts: number[] = [];
    let t = 0;
    for (const span of merged) {
      starts.push(t);
      for (let s = span.first; s < span.end; s++) this.sectors[t++] = s;
    }
    this.slices = spans.map((span) => {
      if (span.end <= span.first) return { lo: 0, hi: 0 };
      const lo = starts[findSpan(merged, span.first)] + span.first - merged[findSpan(merged, span.first)].first;
      return { lo, hi: lo + span.end - span.first };
    });
  }

  get count(): number {
    return this.sectors.length;
  }

  /** Position of the first touched sector >= `sectorIndex` (count if none). */
  lowerBound(sectorIndex: number): number {
    let lo = 0;
    let hi = this.sectors.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sectors[mid] < sectorIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function mergeSpans(spans: Array<{ first: number; end: number }>): Array<{ first: number; end: number }> {
  const sorted = [...spans].sort((a, b) => a.first - b.first);
  const out: Array<{ first: number; end: number }> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.first <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

function findSpan(merged: ReadonlyArray<{ first: number; end: number }>, sector: number): number {
  let lo = 0;
  let hi = merged.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (merged[mid].first <= sector) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
