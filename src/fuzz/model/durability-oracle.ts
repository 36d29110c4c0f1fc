/**
 * DurabilityOracle: the guest history of one recording segment (from a known durable state up to a
 * crash) and, for any storage crash point in it, what the guest may read after recovery (P4).
 *
 * Each op is recorded with the storage operations it spanned, [startOp, endOp) in the recording.
 * Which ops a crash keeps durable and which are in flight is spec/semantics/durability.ts's crash
 * window (GD-*); this file holds the model's values at each barrier and lists the candidates.
 */
import { crashWindowAt, type OpSpan } from '../../../spec/semantics/durability.js';
import type { SectorValue } from '../content/sector-value.js';
import { isBarrier, type FuzzOp } from './fuzz-op.js';
import type { GuestModel, OpEffect, SectorMap, SnapshotModel } from './guest-model.js';

/** One op of the segment, with the storage operations it spanned. */
export interface HistoryEntry extends OpSpan {
  op: FuzzOp;
  effect: OpEffect;
  /** snapshot-create: the snapshot it made. */
  snapshot?: SnapshotModel;
}

/** The model's state when a barrier completed (or the segment started). */
interface DurablePoint {
  /** Index of the barrier entry, -1 for the segment start. */
  entryIndex: number;
  endOp: number;
  values: SectorMap;
  virtualSizeBytes: number;
  snapshots: ReadonlyMap<string, SnapshotModel>;
}

/** What the guest may read after a crash at one point. */
export interface DurabilityExpectation {
  crashPoint: number;
  /**
   * Equal for two crash points of one oracle whose expectations are the same (same barrier, same
   * ops in flight): verdicts reached at one hold at the other (see VerdictMemo).
   */
  stamp: number;
  /** Allowed virtual sizes, the durable one first. */
  virtualSizesBytes: number[];
  /** Candidate values of a sector (its durable value first). */
  candidates(sectorIndex: number): readonly SectorValue[];
  /** Sectors whose candidates may differ from their base value, ascending. */
  touchedSectors(): readonly number[];
  touchedSet(): ReadonlySet<number>;
  baseValue(sectorIndex: number): SectorValue;
  /** Snapshots that must exist, with their content. */
  requiredSnapshots: ReadonlyMap<string, SnapshotModel>;
  /** Snapshots that may exist or not (a create or delete was in flight), with their content if they do. */
  optionalSnapshots: ReadonlyMap<string, SnapshotModel>;
}

export class DurabilityOracle {
  readonly entries: HistoryEntry[] = [];
  private readonly durablePoints: DurablePoint[] = [];
  /** Expectations by stamp: the crash points of one op in flight share one (and its candidate cache). */
  private readonly byStamp = new Map<number, DurabilityExpectation>();

  /** Starts a segment at the model's current (durable, resolved) state. */
  constructor(private readonly model: GuestModel) {
    this.durablePoints.push(pointOf(model, -1, 0));
  }

  /** Records an op the model has just applied (effect from model.apply) and its storage span. */
  record(op: FuzzOp, effect: OpEffect, startOp: number, endOp: number): void {
    const snapshot = op.kind === 'snapshot-create' ? this.model.snapshots.get(op.name) : undefined;
    const barrier = isBarrier(op);
    this.entries.push({ op, startOp, endOp, barrier, effect, snapshot });
    if (barrier) this.durablePoints.push(pointOf(this.model, this.entries.length - 1, endOp));
  }

  /** Called after the model resolved sectors at a barrier: the durable point takes the resolution. */
  refreshLastDurablePoint(): void {
    this.byStamp.clear();
    const last = this.durablePoints[this.durablePoints.length - 1];
    this.durablePoints[this.durablePoints.length - 1] = pointOf(this.model, last.entryIndex, last.endOp);
  }

  /** The expectation after a crash once storage ops [0, crashPoint) completed. */
  expectAt(crashPoint: number): DurabilityExpectation {
    const window = crashWindowAt(this.entries, crashPoint);
    const point = this.durablePointOf(window.durableIndex);
    const pending = this.entries.slice(window.durableIndex + 1, window.inFlightEnd);
    // Entries start in order, so (barrier, number in flight) names the expectation.
    const stamp = (point.entryIndex + 1) * STAMP_ENTRIES + pending.length;
    const same = this.byStamp.get(stamp);
    if (same) return { ...same, crashPoint };
    const sizes = new Set([point.virtualSizeBytes]);
    for (const e of pending) sizes.add(e.effect.virtualSizeBytes);
    const model = this.model;
    const memo = new Map<number, readonly SectorValue[]>();
    const candidates = (s: number): readonly SectorValue[] => {
      const known = memo.get(s);
      if (known) return known;
      const durable = point.values.get(s) ?? [model.baseValue(s)];
      let out: SectorValue[] | null = null;
      for (const e of pending) {
        const after = e.effect.sectors.get(s);
        if (!after) continue;
        out ??= [...durable];
        for (const v of after) if (!out.includes(v)) out.push(v);
      }
      memo.set(s, out ?? durable);
      return out ?? durable;
    };
    const touched = new Set<number>(point.values.keys());
    for (const e of pending) for (const s of e.effect.sectors.keys()) touched.add(s);
    const sorted = [...touched].sort((a, b) => a - b);
    const { required, optional } = snapshotExpectation(point.snapshots, pending);
    const exp: DurabilityExpectation = {
      crashPoint,
      stamp,
      virtualSizesBytes: [...sizes],
      candidates,
      touchedSectors: () => sorted,
      touchedSet: () => touched,
      baseValue: (s) => model.baseValue(s),
      requiredSnapshots: required,
      optionalSnapshots: optional,
    };
    this.byStamp.set(stamp, exp);
    return exp;
  }

  /** The model's state at the barrier entry `entryIndex` (-1: the segment start). */
  private durablePointOf(entryIndex: number): DurablePoint {
    for (let i = this.durablePoints.length - 1; i > 0; i--) if (this.durablePoints[i].entryIndex === entryIndex) return this.durablePoints[i];
    return this.durablePoints[0];
  }
}

/** Stamps: (barrier entry + 1) * STAMP_ENTRIES + entries in flight. */
const STAMP_ENTRIES = 1 << 20;

function pointOf(model: GuestModel, entryIndex: number, endOp: number): DurablePoint {
  return { entryIndex, endOp, values: new Map(model.values), virtualSizeBytes: model.virtualSizeBytes, snapshots: new Map(model.snapshots) };
}

/** Durable snapshots stay required unless a pending op deletes them; pending creates may exist. */
function snapshotExpectation(durable: ReadonlyMap<string, SnapshotModel>, pending: readonly HistoryEntry[]): { required: Map<string, SnapshotModel>; optional: Map<string, SnapshotModel> } {
  const required = new Map(durable);
  const optional = new Map<string, SnapshotModel>();
  for (const e of pending) {
    if (e.op.kind !== 'snapshot-create' && e.op.kind !== 'snapshot-delete') continue;
    const before = required.get(e.op.name);
    if (before) optional.set(e.op.name, before);
    required.delete(e.op.name);
    if (e.snapshot) optional.set(e.op.name, e.snapshot);
  }
  return { required, optional };
}
