/**
 * SectorLineage: which operations of a log changed each sector, in order. In any crash state of
 * the log, a sector holds the bytes it had right after some operation applied in order (or the
 * base's bytes): the durable file is the log applied in order up to the last flush, and each
 * version of a touched sector is the sector after one pending operation (crash-point-model.ts).
 * So "after op k" names a sector's bytes across every crash point of the log, which lets a verdict
 * on those bytes carry from one crash point to the next (state-verdict-memo.ts).
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { changedBytes } from './touched-sectors.js';

/**
 * (sector, op) pairs a lineage records at most, and the sector numbers it covers: a log beyond
 * either gets none (every query says unknown; the memo then keys nothing).
 */
export const LINEAGE_ENTRIES_MAX = 1 << 22;
export const LINEAGE_SECTORS_MAX = 1 << 22;

export class SectorLineage {
  private changes: Map<number, number[]> | null | undefined;
  /**
   * The answer for every sector at one point `at`, moved forward as the plan's crash points are
   * judged in order (a query further back searches the lists instead).
   */
  private cursor: { at: number; last: Float64Array; nextOp: number; sizeBytes: number } | null | undefined;

  constructor(
    private readonly baseSizeBytes: number,
    private readonly ops: readonly StorageOp[],
    readonly sectorSizeBytes: number,
  ) {}

  /**
   * Index of the last operation in ops[0..at] that changed `sector`; -1 when none did (the sector
   * holds the base's bytes); -2 when the lineage is unknown (the log is too large to index).
   */
  lastChangeAtOrBefore(sector: number, at: number): number {
    const cursor = this.cursorAt(at);
    if (cursor === null) return -2;
    if (cursor) return sector < cursor.last.length ? cursor.last[sector] : -1;
    const changes = this.index();
    if (changes === null) return -2;
    const list = changes.get(sector);
    if (list === undefined || list[0] > at) return -1;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (list[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return list[lo];
  }

  /** The cursor moved to `at`; undefined when it is already past it, null when the log is too large. */
  private cursorAt(at: number): { last: Float64Array } | undefined | null {
    const s = this.sectorSizeBytes;
    if (this.cursor === null) return null;
    this.cursor ??= { at: -1, last: new Float64Array(0), nextOp: 0, sizeBytes: this.baseSizeBytes };
    const c = this.cursor;
    if (at < c.at) return undefined;
    for (; c.nextOp <= at && c.nextOp < this.ops.length; c.nextOp++) {
      const op = this.ops[c.nextOp];
      const { fromBytes, toBytes } = changedBytes(op, c.sizeBytes);
      c.sizeBytes = op.sizeBytesAfter;
      if (toBytes <= fromBytes) continue;
      const end = Math.ceil(toBytes / s);
      if (end > LINEAGE_SECTORS_MAX) return (this.cursor = null);
      if (end > c.last.length) {
        const grown = new Float64Array(Math.max(end, c.last.length * 2)).fill(-1);
        grown.set(c.last);
        c.last = grown;
      }
      c.last.fill(c.nextOp, Math.floor(fromBytes / s), end);
    }
    c.at = at;
    return c;
  }

  /** Built on the first query: most plans never ask. */
  private index(): Map<number, number[]> | null {
    if (this.changes !== undefined) return this.changes;
    const changes = new Map<number, number[]>();
    const s = this.sectorSizeBytes;
    let size = this.baseSizeBytes;
    let entries = 0;
    for (let i = 0; i < this.ops.length; i++) {
      const op = this.ops[i];
      const { fromBytes, toBytes } = changedBytes(op, size);
      size = op.sizeBytesAfter;
      if (toBytes <= fromBytes) continue;
      const first = Math.floor(fromBytes / s);
      const end = Math.ceil(toBytes / s);
      entries += end - first;
      if (entries > LINEAGE_ENTRIES_MAX || end > LINEAGE_SECTORS_MAX) return (this.changes = null);
      for (let sector = first; sector < end; sector++) {
        const list = changes.get(sector);
        if (list === undefined) changes.set(sector, [i]);
        else list.push(i);
      }
    }
    return (this.changes = changes);
  }
}
