/**
 * CrashPlan: the crash states of one recorded history, across crash points.
 *
 * Takes the file before the first operation (read only, never written) and the operations in
 * completion order; gives crash states under the storage contract (spec/semantics/storage-contract),
 * exhaustively where a point has at most `maxStates` of them and by seeded sampling elsewhere, and
 * rebuilds any state from its id. The same options give the same states in the same order.
 */
import { FormatError } from '../../../spec/format/format-error.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { applyOp } from '../apply-op.js';
import type { BlockDevice } from '../block-device.js';
import { CowDevice } from '../cow-device.js';
import { Prng } from '../prng.js';
import { allotBudgets } from './allot-budgets.js';
import { canonicalizeCodes } from './canonical-codes.js';
import { buildCrashPointModel, type CrashPointModel } from './crash-point-model.js';
import { CrashState } from './crash-state.js';
import { countStates } from './count-states.js';
import { enumerateStates } from './enumerate-states.js';
import { LruCache } from './lru-cache.js';
import { sampleStates } from './sample-states.js';
import { SectorLineage } from './sector-lineage.js';
import { encodeStateId, expandRuns, parseStateId } from './state-id.js';

/** Default number of states per run, and the size up to which a space is enumerated whole. */
export const DEFAULT_MAX_STATES = 4096;

/** Crash-point models and durable files kept in memory at once (others are rebuilt on demand). */
const MODELS_CACHED = 8;
/** Copy-up unit of the durable files: large, so freezing one (a page-map copy) stays cheap. */
const DURABLE_PAGE_SIZE_BYTES = 64 * 1024;

/**
 * Where crashes are placed. `sample`: just before each flush, just before each FUA write and at the
 * end of the log; every state of any other point is also a state of one of these (see
 * storage-contract.md). `flush-points`: just before and just after each flush.
 */
export type CrashMode = 'sample' | 'flush-points';

export interface CrashPlanOptions {
  mode?: CrashMode;
  /** States per run in total (`states()`), split across crash points. */
  maxStates?: number;
  seed?: number;
  /** Tearing granularity in bytes: 512 (default) or 4096. */
  sectorSizeBytes?: number;
}

/** One crash point with the size of its state space and the share of states it gets. */
export interface CrashPointPlan {
  crashPoint: number;
  stateCount: number;
  budget: number;
  exhaustive: boolean;
}

export class CrashPlan {
  readonly mode: CrashMode;
  readonly maxStates: number;
  readonly seed: number;
  readonly sectorSizeBytes: number;
  private readonly durables = new LruCache<number, BlockDevice>(MODELS_CACHED);
  private readonly models = new LruCache<number, CrashPointModel>(MODELS_CACHED);
  private readonly counts = new Map<number, number>();
  private durableCursor: { device: CowDevice; nextOp: number };
  /** Shared by every model of this plan (built on its first query). */
  private readonly lineage: SectorLineage;

  /** @throws RangeError for a sector size other than a power of two in 512..65536 */
  constructor(
    readonly base: BlockDevice,
    readonly ops: readonly StorageOp[],
    opts: CrashPlanOptions = {},
  ) {
    this.mode = opts.mode ?? 'sample';
    this.maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
    this.seed = opts.seed ?? 0;
    this.sectorSizeBytes = opts.sectorSizeBytes ?? 512;
    const s = this.sectorSizeBytes;
    if (!Number.isInteger(Math.log2(s)) || s < 512 || s > 65536) throw new RangeError(`sector size ${s} is not a power of two in 512..65536`);
    this.durableCursor = this.freshCursor();
    this.lineage = new SectorLineage(base.sizeBytes, ops, s);
  }

  /** The crash points the mode visits, ascending (a point k means ops[0, k) completed). */
  crashPoints(): number[] {
    const n = this.ops.length;
    const points = new Set<number>();
    this.ops.forEach((op, i) => {
      if (op.kind === 'flush') {
        points.add(i);
        if (this.mode === 'flush-points') points.add(i + 1);
      } else if (this.mode === 'sample' && op.kind === 'write' && op.fua) points.add(i);
    });
    if (this.mode === 'sample' || points.size === 0) points.add(n);
    return [...points].sort((a, b) => a - b);
  }

  /** Each crash point with its state count and budget; together the budgets stay within maxStates. */
  pointPlans(): CrashPointPlan[] {
    const points = this.crashPoints();
    const counts = points.map((k) => this.stateCount(k));
    const budgets = allotBudgets(counts, this.maxStates);
    return points.map((crashPoint, i) => ({ crashPoint, stateCount: counts[i], budget: budgets[i], exhaustive: budgets[i] >= counts[i] }));
  }

  /** All states of the run: every crash point in order, each exhaustive or sampled within its budget. */
  *states(): Generator<CrashState> {
    for (const plan of this.pointPlans()) {
      if (plan.budget > 0) yield* this.statesAt(plan.crashPoint, plan.budget);
    }
  }

  /**
   * The states of one crash point: all of them when there are at most `maxStates`, else
   * `maxStates` sampled with a generator seeded from (seed, crashPoint).
   */
  statesAt(crashPoint: number, maxStates = this.maxStates): Generator<CrashState> {
    const model = this.model(crashPoint);
    if (this.stateCount(crashPoint) <= maxStates) return enumerateStates(model);
    return sampleStates(model, maxStates, new Prng(this.seed, crashPoint + 1));
  }

  /** The number of distinct states of a crash point (see countStates), cached. */
  stateCount(crashPoint: number): number {
    let count = this.counts.get(crashPoint);
    if (count === undefined) {
      count = countStates(this.model(crashPoint));
      this.counts.set(crashPoint, count);
    }
    return count;
  }

  /**
   * The model of a crash after ops[0, crashPoint) (the last few are cached; the states of a model
   * stay valid after it leaves the cache).
   * @throws RangeError when the crash point is outside 0..ops.length
   */
  model(crashPoint: number): CrashPointModel {
    if (!Number.isInteger(crashPoint) || crashPoint < 0 || crashPoint > this.ops.length) throw new RangeError(`crash point ${crashPoint} outside 0..${this.ops.length}`);
    let model = this.models.get(crashPoint);
    if (!model) {
      let lastFlush = crashPoint - 1;
      while (lastFlush >= 0 && this.ops[lastFlush].kind !== 'flush') lastFlush--;
      model = buildCrashPointModel(this.ops, crashPoint, lastFlush, this.durableAfter(lastFlush), this.sectorSizeBytes, this.lineage);
      this.models.set(crashPoint, model);
    }
    return model;
  }

  /**
   * The state an id names.
   * @throws FormatError (rule STATE-ID) when the id is malformed or names a state this log cannot have
   */
  rebuild(id: string): CrashState {
    const parsed = parseStateId(id);
    const bad = (why: string): FormatError => new FormatError('STATE-ID', `state id "${id}"`, why);
    if (parsed.sectorSizeBytes !== this.sectorSizeBytes) throw bad(`made with ${parsed.sectorSizeBytes} B sectors, this plan uses ${this.sectorSizeBytes}`);
    if (parsed.crashPoint > this.ops.length) throw bad(`crash point ${parsed.crashPoint} past the ${this.ops.length} operations`);
    const model = this.model(parsed.crashPoint);
    if (parsed.sizeCode >= model.sizesBytes.length) throw bad(`size code ${parsed.sizeCode}, only ${model.sizesBytes.length} sizes allowed`);
    const codes = expandRuns(parsed, model.newCodes(), id);
    codes.forEach((c, t) => {
      if (c >= model.versions[t].length) throw bad(`code ${c} for touched sector ${t}, which has ${model.versions[t].length} versions`);
    });
    const canonical = canonicalizeCodes(model, codes.slice(), parsed.sizeCode);
    if (encodeStateId(parsed.crashPoint, this.sectorSizeBytes, parsed.sizeCode, canonical) !== id) throw bad('not in canonical form');
    return new CrashState(model, parsed.sizeCode, codes, 'rebuilt');
  }

  /**
   * The file after ops[0..flushIndex] (the base for -1), never written once returned. Built by
   * replaying forward from the last one built (from the base when asked for an earlier one).
   */
  private durableAfter(flushIndex: number): BlockDevice {
    const cached = this.durables.get(flushIndex);
    if (cached) return cached;
    let cursor = this.durableCursor;
    if (cursor.nextOp > flushIndex + 1) cursor = this.freshCursor();
    while (cursor.nextOp <= flushIndex) applyOp(cursor.device, this.ops[cursor.nextOp++]);
    const frozen = cursor.device.fork();
    this.durableCursor = cursor;
    this.durables.set(flushIndex, frozen);
    return frozen;
  }

  private freshCursor(): { device: CowDevice; nextOp: number } {
    return { device: new CowDevice(this.base, { pageSizeBytes: DURABLE_PAGE_SIZE_BYTES }), nextOp: 0 };
  }
}
