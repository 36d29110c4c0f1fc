/**
 * Explanation: what `crashcow explain` tells about a case, as data (schema:
 * spec/schemas/explain.schema.json): the case's operations with the one in flight at the crash
 * marked, every write of the crash epoch (since the last flush before the crash) with the
 * operation that issued it, what it changed and its fate in the crash state, the recovery's own
 * writes (P3, P4, P5), and the verdict with its witness tied to those writes.
 */
import type { ChangeLabel } from '../../spec/explain/change-label.js';
import type { FindingWitness } from '../../spec/invariants/finding.js';
import type { SectorWitness } from '../fuzz/violation.js';

/** Where an operation stood when the crash came. */
export type OperationMark = 'before-earlier-crash' | 'earlier-crash' | 'flushed' | 'not-flushed' | 'in-flight' | 'not-started' | 'crash';

export interface ExplainedOperation {
  /** 1-based, as people count the case's operations. */
  number: number;
  text: string;
  mark: OperationMark;
  /** Its storage operations in the crash segment, [first, end), when it made any there. */
  storageOps?: { first: number; end: number };
}

export type Fate = 'kept' | 'dropped' | 'torn' | 'completed';

/** Host bytes [fromBytes, toBytes). */
export interface ByteRange {
  fromBytes: number;
  toBytes: number;
}

export interface WriteFate {
  fate: Fate;
  /** Sectors whose bytes the write changed, and how many of them the state shows. */
  sectorCount: number;
  sectorsLanded: number;
  /** Torn writes: the host bytes that landed and those lost. */
  landed?: ByteRange[];
  lost?: ByteRange[];
}

export interface ExplainedWrite {
  /** Index of the storage operation in its log (the case's survivingOps / droppedOps numbers for the crash epoch). */
  index: number;
  kind: 'write' | 'zeroes' | 'discard' | 'truncate';
  offsetBytes: number;
  lengthBytes: number;
  /** The case operation that issued it (1-based), null for the recovery's writes or writes outside any operation. */
  operation: number | null;
  operationText: string;
  changes: ChangeLabel[];
  /** The changes in a few words ("file extension + data"). */
  summary: string;
  fate: WriteFate;
}

export interface ExplainedRecovery {
  how: string;
  writes: ExplainedWrite[];
  /** P5: the crash state inside this recovery the verdict is about (its writes' fates are in it). */
  crashStateId?: string;
  /** Set when the recovery failed. */
  failure?: string;
}

/** A write tied to the witness: it wrote the entry at fault, or the bytes the entry references. */
export interface WitnessLink {
  role: 'entry' | 'referenced';
  phase: 'crash' | 'recovery';
  write: number;
  /** For recovery writes: which recovery. */
  how?: string;
  summary: string;
  fate: Fate;
}

export interface ExplainedWitness {
  rule: string;
  where: string;
  detail: string;
  witness?: FindingWitness;
  /** The witness in the labels' terms, and why: "L2 @0xc00 entry 0 -> 0xe00 (512 bytes): ..., because ...". */
  text: string;
  links: WitnessLink[];
}

export interface ExplainedVerdict {
  /** True when the replayed state breaks the property the case records. */
  reproduces: boolean;
  recorded: { property: string; rules: string[]; summary: string };
  /** What the replay found (null: no property broke). */
  found: { property: string; rules: string[]; summary: string; stage: string } | null;
  witness?: ExplainedWitness;
  sector?: SectorWitness & { text: string; links: WitnessLink[] };
}

/** A damage case's damage: its patches as writes over the clean image, and what each repair reported. */
export interface ExplainedDamage {
  kind: string;
  target: string;
  where: string;
  /** Bytes the damage changed. */
  byteCount: number;
  fileSizeBytes?: number;
  /** One per patch (and a truncate when the size changed), labelled against the clean image. */
  writes: ExplainedWrite[];
  /** Each repair judged: its exit code (null: it crashed) and what it said. */
  repairs: Array<{ how: string; exitCode: number | null; message: string }>;
}

export interface Explanation {
  schemaVersion: 1;
  /** `fault`: the fault injected besides power loss, in words (`--faults eio` cases). */
  case: { path: string; name?: string; engine: string; engineVersion: string; mutants: string[]; image: string; fault?: string };
  crash: { stateId: string; crashPoint: number; lastFlushIndex: number; storageOpCount: number; stateSizeBytes: number } | null;
  operations: ExplainedOperation[];
  /** The crash epoch's writes, in the order the log recorded them. */
  writes: ExplainedWrite[];
  recoveries: ExplainedRecovery[];
  verdict: ExplainedVerdict;
  /** A damage case (P7): the damage and the repairs' reports; the recoveries are the repairs' writes. */
  damage?: ExplainedDamage;
}
