/**
 * FuzzSummary: the one JSON object a campaign ends with (`crashcow fuzz --output json` on stdout,
 * `--summary FILE` in a file; schema: spec/schemas/fuzz-summary.schema.json). Besides the totals
 * and findings it says which campaign the shard belongs to (seed, engine, mutants, budget and
 * image options), which shard it is and where that came from, and the batches it ran: what
 * `crashcow merge` needs to join N shards into one campaign and to check that they fit.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import summarySchema from '../../../spec/schemas/fuzz-summary.schema.json' with { type: 'json' };
import type { FindingClass } from '../baseline/baseline.js';
import type { FixedImageOptions } from '../commands/image-options-arb.js';
import type { KnownCoverage } from '../coverage/known-coverage.js';
import type { JudgeMode } from '../oracle/state-checker.js';
import type { FaultMode } from '../faults/fault-mode.js';
import type { BatchRecord } from './batch-record.js';
import type { SavedFinding } from './campaign.js';

/** What makes shards parts of one campaign, besides engine, seed and shard count. */
export interface CampaignIdentity {
  mutants: string[];
  /** `--faults`. */
  faults?: FaultMode;
  /** The whole campaign's --runs (all shards), or null with a time budget. */
  runs: number | null;
  /** The --time budget per shard, or null with a runs budget. */
  timeSeconds: number | null;
  /** `--max-findings`: the shard stops once it saved this many (absent when not given). */
  maxFindings?: number;
  statesPerCrash: number;
  maxCommands: number;
  /** The image options fixed by flags (--profile, --lazy-refcounts, --cluster-size, --refcount-bits). */
  image: FixedImageOptions;
}

export interface FuzzSummary {
  engine: 'builtin' | 'qemu';
  engineVersion: string;
  /** The QEMU binaries a QEMU campaign ran, with their version line. */
  qemu?: { versionLine: string; img: string; io: string };
  seed: number;
  runs: number;
  crashStates: number;
  statesPerSecond: number;
  findings: SavedFinding[];
  knownRepeats: number;
  /** Runs by the fault they ended with, and the damaged images P7 judged. */
  faultRuns?: { power?: number; eio?: number; eioFired?: number; damage?: number; damagedImages?: number };
  /** What the runs (not shrinking) exercised, every known op kind and image option value listed (absent in summaries written before it). */
  coverage?: KnownCoverage;
  campaign: CampaignIdentity;
  /** index counts from 1, as in --shard I/N; source says where it came from (the flag or variables). */
  shard: { index: number; count: number; source: string };
  jobs: number;
  /**
   * How crash states were checked as the crash left them (`--judge`): the mode, and of the states
   * judged in full, how many were checked incrementally and how many by the whole checker.
   */
  judge?: { mode: JudgeMode; incrementalChecks: number; fullChecks: number };
  elapsedSeconds: number;
  batches: BatchRecord[];
  /** The engine the findings were classed against (`--baseline`), with the count of each class. */
  baseline?: { spec: string; version: string; failOn: 'any' | 'regression'; classes: Record<FindingClass, number> };
}

/** A file that is not a valid fuzz summary (not JSON, or against the schema). */
export class InvalidSummaryError extends Error {
  readonly code = 'INVALID_SUMMARY' as const;
  constructor(readonly path: string, detail: string) {
    super(`${path}: not a valid crashcow fuzz summary: ${detail}`);
    this.name = 'InvalidSummaryError';
  }
}

export function isInvalidSummaryError(err: unknown): err is InvalidSummaryError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'INVALID_SUMMARY';
}

let validator: ValidateFunction | undefined;

/** Throws InvalidSummaryError unless `value` is a valid summary; `path` names it in the message. */
export function assertValidSummary(value: unknown, path: string): asserts value is FuzzSummary {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(summarySchema);
  if (!validator(value)) throw new InvalidSummaryError(path, (validator.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
}

/** True for a parsed JSON value that claims to be a summary (it has a summary's totals), valid or not. */
export function looksLikeSummary(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'crashStates' in value && 'findings' in value;
}

/** Reads and validates a summary file. @throws InvalidSummaryError, or the OS error for an unreadable file */
export function readSummary(path: string): FuzzSummary {
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidSummaryError(path, (err as Error).message);
  }
  assertValidSummary(value, path);
  return value;
}
