/**
 * SectorLineage: which operation of a log last changed each sector. In any crash state of the log,
 * a sector holds the bytes it had right after some operation applied in order (or the base's
 * bytes): the durable file is the log applied in order up to the last flush, and each version of
 * a touched sector is the sector after one pending operation (crash-point-model.ts). So "after op
 * k" names a sector's bytes across every crash point of the log, which lets a verdict on those
 * bytes carry from one crash point to the next (state-verdict-memo.ts).
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { changedBytes } from './touched-sectors.js';

/** Sector numbers a lineage covers: a log that changes one past it gets none (every query says unknown). */
const LINEAGE_SECTORS_MAX = 1 << 22;

/** The last change of every sector up to operation `at`. */
interface Cursor {
  at: number;
  last: Float64Array;
  nextOp: number;
  sizeBytes: number;
}

export class SectorLineage {
  /**
   * Moved forward as the plan's crash points are judged in order; a query further back starts it
   * again from the base (replay and shrinking ask for one state at a time). Null: log too large.
   */
  private cursor: Cursor | null;

  constructor(
    private readonly baseSizeBytes: number,
    private readonly ops: readonly StorageOp[],
    readonly sectorSizeBytes: number,
  ) {
    this.cursor = this.freshCursor();
  }

  /**
   * Index of the last operation in ops[0..at] that changed `sector`; -1 when none did (the sector
   * holds the base's bytes); -2 when the lineage is unknown (the log changes sectors past
   * LINEAGE_SECTORS_MAX).
   */
  lastChangeAtOrBefore(sector: number, at: number): number {
    const c = this.cursorAt(at);
    if (c === null) return -2;
    return sector < c.last.length ? c.last[sector] : -1;
  }

  private cursorAt(at: number): Cursor | null {
    if (this.cursor !== null && at < this.cursor.at) this.cursor = this.freshCursor();
    const c = this.cursor;
    if (c === null) return null;
    const s = this.sectorSizeBytes;
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

  private freshCursor(): Cursor {
    return { at: -1, last: new Float64Array(0), nextOp: 0, sizeBytes: this.baseSizeBytes };
  }
}
