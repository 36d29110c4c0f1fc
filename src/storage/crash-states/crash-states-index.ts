/**
 * The index.json that `crashcow crash-states` writes next to its crash images; its JSON Schema is
 * spec/schemas/crash-states-index.schema.json. Writes are named by log entry index.
 */
import type { CrashPointPlan } from './crash-plan.js';
import type { CrashState } from './crash-state.js';

export interface CrashStatesIndex {
  schemaVersion: 1;
  log: string;
  image: string;
  mode: string;
  seed: number;
  maxStates: number;
  sectorSizeBytes: number;
  logEntryCount: number;
  operationCount: number;
  crashPoints: CrashPointEntry[];
  states: CrashStateEntry[];
  /** States skipped because an earlier crash point already produced identical bytes. */
  duplicatesSkipped: number;
}

/** Where a crash happens: after operations [0, opIndex), i.e. after log entries [0, entriesApplied). */
interface CrashPointRef {
  opIndex: number;
  entriesApplied: number;
}

interface CrashPointEntry extends CrashPointRef {
  /** Distinct states at this point, capped at 2^53 - 1 when the space is larger. */
  stateCount: number;
  stateCountExact: boolean;
  /** How many states the run could give this point. */
  budget: number;
  exhaustive: boolean;
}

interface CrashStateEntry {
  file: string;
  id: string;
  origin: string;
  crashPoint: CrashPointRef;
  sizeBytes: number;
  /** Log entry of the last flush before the crash, or -1. */
  lastFlushEntry: number;
  survivingWrites: number[];
  tornWrites: Array<{ entry: number; sectorsLanded: number; sectorCount: number }>;
  droppedWrites: number[];
}

/** Maps operation indexes to log entries for index.json. */
export class EntryMap {
  constructor(
    private readonly entryIndexOfOp: readonly number[],
    private readonly entryCount: number,
  ) {}

  /** Log entries completed before a crash after ops[0, opIndex). */
  crashPoint(opIndex: number): CrashPointRef {
    return { opIndex, entriesApplied: opIndex < this.entryIndexOfOp.length ? this.entryIndexOfOp[opIndex] : this.entryCount };
  }

  entryOf(opIndex: number): number {
    return opIndex < 0 ? -1 : this.entryIndexOfOp[opIndex];
  }

  pointEntry(plan: CrashPointPlan): CrashPointEntry {
    const exact = Number.isSafeInteger(plan.stateCount);
    return { ...this.crashPoint(plan.crashPoint), stateCount: exact ? plan.stateCount : Number.MAX_SAFE_INTEGER, stateCountExact: exact, budget: plan.budget, exhaustive: plan.exhaustive };
  }

  stateEntry(state: CrashState, file: string): CrashStateEntry {
    const summary = state.summarize();
    return {
      file,
      id: state.id,
      origin: state.origin,
      crashPoint: this.crashPoint(state.crashPoint),
      sizeBytes: state.sizeBytes,
      lastFlushEntry: this.entryOf(state.model.lastFlushIndex),
      survivingWrites: summary.survivingOps.map((i) => this.entryOf(i)),
      tornWrites: summary.tornOps.map((t) => ({ entry: this.entryOf(t.opIndex), sectorsLanded: t.sectorsLanded, sectorCount: t.sectorCount })),
      droppedWrites: summary.droppedOps.map((i) => this.entryOf(i)),
    };
  }
}
