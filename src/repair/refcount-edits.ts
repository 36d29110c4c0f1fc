/**
 * In-place refcount edits: compares every stored refcount with the final reference count and
 * prepares the refcount blocks twice: once with only the raises (written first) and once with the
 * raises and the lowerings (written after the unlinks are durable, ORD-2). Returns null when the
 * old structures cannot hold the result (a referenced cluster whose block does not exist, or a
 * count above the width): then the structures must be rebuilt.
 */
import { hex } from '../../spec/format/bounded-reader.js';
import { clusterIndexToOffset, clusterIndexToRefblockIndex, clusterIndexToReftableIndex } from '../../spec/format/geometry.js';
import { setRefcount } from '../../spec/format/refcount-block.js';
import type { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import { UNREADABLE } from '../../spec/walk/on-disk-refcounts.js';
import type { RepairContext } from './repair-context.js';
import { repairRecord, type RepairRecord } from './repair-record.js';

interface RefcountEdits {
  /** Refcount block offset -> content with the raises only. */
  raised: Map<number, Uint8Array>;
  /** Refcount block offset -> final content. */
  lowered: Map<number, Uint8Array>;
  raisedCount: number;
  loweredCount: number;
  records: RepairRecord[];
}

/**
 * The edits that make the stored refcounts equal `tally` (over its `clusterCount` clusters, at
 * least the file's), or null when they cannot be made in place.
 * `naiveIncrement` is the MUT-16 mutant switch (tests only; see repair-mutants.ts).
 */
export function refcountEdits(ctx: RepairContext, tally: Pick<ExpectedRefcounts, 'countOf' | 'clusterCount'>, allowRaise = true, naiveIncrement = false): RefcountEdits | null {
  const out: RefcountEdits = { raised: new Map(), lowered: new Map(), raisedCount: 0, loweredCount: 0, records: [] };
  const end = Math.max(ctx.image.fileClusterCount, tally.clusterCount);
  const runs = new RunRecorder(ctx, out.records);
  for (let c = 0; c < end; c++) {
    const want = tally.countOf(c);
    const blockOffset = ctx.refcounts.refblockOffsets[clusterIndexToReftableIndex(ctx.geometry, c)] ?? 0;
    if (blockOffset === 0) {
      // A referenced cluster without a block reads refcount 0: raising it needs a new block, and the
      // old structures have no place for one that is sure to be free of live data (QEMU f307b255):
      // only a rebuild can fix it. The mutant treats it as an ordinary too-low refcount instead.
      if (want > 0 && !naiveIncrement) return null;
      continue;
    }
    if (want > ctx.geometry.refcountMax) return null;
    const stored = storedRefcount(ctx, c);
    if (stored === UNREADABLE) return null;
    if (stored === want || (want > stored && !allowRaise)) continue;
    const index = clusterIndexToRefblockIndex(ctx.geometry, c);
    const final = blockOf(ctx, out.lowered, blockOffset);
    setRefcount(final, index, ctx.geometry.refcountOrder, want);
    if (want > stored) {
      setRefcount(blockOf(ctx, out.raised, blockOffset), index, ctx.geometry.refcountOrder, want);
      out.raisedCount++;
    } else out.loweredCount++;
    runs.note(c, stored, want);
  }
  runs.flush();
  return out;
}

function storedRefcount(ctx: RepairContext, clusterIndex: number): number {
  const sat = ctx.onDisk.saturated;
  if (clusterIndex < sat.length && sat[clusterIndex] < 255) return sat[clusterIndex];
  return ctx.onDisk.exact(clusterIndex);
}

function blockOf(ctx: RepairContext, blocks: Map<number, Uint8Array>, offsetBytes: number): Uint8Array {
  let block = blocks.get(offsetBytes);
  if (block === undefined) blocks.set(offsetBytes, (block = ctx.device.read(offsetBytes, ctx.clusterSizeBytes)));
  return block;
}

/** Groups consecutive clusters changed in the same direction into one record each. */
class RunRecorder {
  private first = -1;
  private last = -1;
  private up = false;
  private sample = '';

  constructor(
    private readonly ctx: RepairContext,
    private readonly out: RepairRecord[],
  ) {}

  note(c: number, stored: number, want: number): void {
    const up = want > stored;
    if (this.first >= 0 && c === this.last + 1 && up === this.up) {
      this.last = c;
      return;
    }
    this.flush();
    this.first = this.last = c;
    this.up = up;
    this.sample = `refcount=${stored} reference=${want}`;
  }

  flush(): void {
    if (this.first < 0) return;
    const n = this.last - this.first + 1;
    const at = hex(clusterIndexToOffset(this.ctx.geometry, this.first));
    const where = n === 1 ? `cluster ${this.first} @${at}` : `clusters ${this.first}..${this.last} @${at}`;
    const what = this.up ? 'refcount raised to the number of references (it was too low)' : 'refcount lowered to the number of references (leaked)';
    this.out.push(repairRecord(this.up ? 'refcount-raised' : 'refcount-lowered', 'RC-6', where, `${what}; first: ${this.sample}`, { count: n }));
    this.first = -1;
  }
}
