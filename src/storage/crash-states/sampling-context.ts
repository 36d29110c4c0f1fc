/**
 * SamplingContext: what the sampling strategies need about a crash-point model, computed once per
 * model (which operations may drop or tear, each sector's last writer), and the two ways they build
 * a choice of codes from it.
 */
import type { CrashPointModel, VersionCodes } from './crash-point-model.js';

/** What the strategies need about a model, computed once per model. */
interface SamplingContext {
  /** Indexes (into model.pending) of FUA writes: they always land, whole. */
  fua: number[];
  /** Every other operation that touches sectors or sets the size. */
  droppable: number[];
  /** Droppable operations covering at least two sectors (they can tear). */
  multiSector: number[];
  /**
   * The multi-sector operations that rewrite bytes in place (a changed sector held non-zero durable
   * data): updates of existing structures such as metadata tables, where a tear hurts most.
   */
  inPlace: number[];
  all: number[];
  /** Durable codes with ruled-out ones as 0 (a FUA write always overwrites those). */
  durable: VersionCodes;
  versionCounts: Uint32Array;
  /** Per touched sector, the operation that wrote it last (its image is code 0), or -1. */
  lastWriter: Int32Array;
  /** Per touched sector, its code when every operation but its last writer lands in order. */
  codeWithoutLast: Int32Array;
}

function durableCodes(model: CrashPointModel): VersionCodes {
  const codes = model.newCodes();
  model.durableCodes.forEach((c, t) => (codes[t] = Math.max(c, 0)));
  return codes;
}

function rewritesInPlace(model: CrashPointModel, j: number): boolean {
  const p = model.pending[j];
  for (let i = 0; i < p.codes.length; i++) {
    const t = p.lo + i;
    const durable = model.durableCodes[t];
    if (p.changed[i] && durable >= 0 && model.versions[t][durable].some((b) => b !== 0)) return true;
  }
  return false;
}

function lastWriters(model: CrashPointModel): { lastWriter: Int32Array; codeWithoutLast: Int32Array } {
  const lastWriter = new Int32Array(model.touched.count).fill(-1);
  const codeWithoutLast = Int32Array.from(model.durableCodes);
  model.pending.forEach((p, j) => {
    for (let i = 0; i < p.codes.length; i++) {
      if (p.codes[i] < 0) continue;
      const t = p.lo + i;
      const previous = lastWriter[t];
      if (previous >= 0) codeWithoutLast[t] = model.pending[previous].codes[t - model.pending[previous].lo];
      lastWriter[t] = j;
    }
  });
  return { lastWriter, codeWithoutLast };
}

/**
 * Every operation lands in order except the sectors of `op` that `lost` selects (all of them when
 * omitted): those show what they would without it. Costs only the operation's own sectors, since
 * "everything in order" is code 0 everywhere.
 */
export function allButPartOf(model: CrashPointModel, codes: VersionCodes, op: number, lost?: (i: number) => boolean): void {
  const { lastWriter, codeWithoutLast } = contextOf(model);
  codes.fill(0);
  const p = model.pending[op];
  for (let i = 0; i < p.codes.length; i++) {
    const t = p.lo + i;
    if (lastWriter[t] === op && (!lost || lost(i))) codes[t] = codeWithoutLast[t];
  }
}

const contexts = new WeakMap<CrashPointModel, SamplingContext>();

export function contextOf(model: CrashPointModel): SamplingContext {
  let ctx = contexts.get(model);
  if (ctx) return ctx;
  const fua: number[] = [];
  const droppable: number[] = [];
  model.pending.forEach((p, j) => {
    if (p.op.kind === 'write' && p.op.fua) fua.push(j);
    else if (p.hi > p.lo || p.op.kind === 'truncate') droppable.push(j);
  });
  const multiSector = droppable.filter((j) => model.pending[j].hi - model.pending[j].lo >= 2);
  ctx = {
    fua,
    droppable,
    multiSector,
    inPlace: multiSector.filter((j) => rewritesInPlace(model, j)),
    all: model.pending.map((_, j) => j),
    durable: durableCodes(model),
    versionCounts: Uint32Array.from(model.versions, (v) => v.length),
    ...lastWriters(model),
  };
  contexts.set(model, ctx);
  return ctx;
}

/**
 * Applies the given operations (indexes into model.pending) in that order over the durable content;
 * for `torn`, only the sectors whose slice position `keep` accepts.
 */
export function applyInOrder(model: CrashPointModel, codes: VersionCodes, order: readonly number[], torn?: { op: number; keep: (i: number) => boolean }): void {
  codes.set(contextOf(model).durable);
  for (const j of order) {
    const p = model.pending[j];
    const own = p.codes;
    const lo = p.lo;
    if (torn && torn.op === j) {
      for (let i = 0; i < own.length; i++) if (own[i] >= 0 && torn.keep(i)) codes[lo + i] = own[i];
    } else {
      for (let i = 0; i < own.length; i++) if (own[i] >= 0) codes[lo + i] = own[i];
    }
  }
}
