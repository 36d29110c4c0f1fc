/**
 * FuzzCase: a minimal, replayable finding as it is saved (schema: spec/schemas/case.schema.json).
 * Validated with ajv on every write and read, so an invalid case never leaves or enters crashcow.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import caseSchema from '../../../spec/schemas/case.schema.json' with { type: 'json' };
import type { Damage } from '../damage/damage.js';
import type { FuzzImageOptions } from '../image-options.js';
import type { FuzzOp } from '../model/fuzz-op.js';
import type { EioFault } from '../nemesis/eio-fault.js';
import type { Violation } from '../violation.js';
import type { ReplayVerdict } from './case-expectations.js';

export interface CaseCrash {
  stateId: string;
  crashPoint: number;
  storageOpCount: number;
  survivingOps: number[];
  tornOps: Array<{ opIndex: number; sectorsLanded: number; sectorCount: number }>;
  droppedOps: number[];
}

/**
 * The fault a case's run injected (absent in cases saved before faults were recorded: power).
 * A damage case carries the damage whose repair broke P7, byte by byte; one without it broke its
 * property before any damage (on the way, or at the clean close).
 */
export type CaseFault = { kind: 'power' } | { kind: 'damage'; damage?: Damage } | EioFault;

export interface FuzzCase {
  schemaVersion: 1;
  name?: string;
  note?: string;
  /** `versionLine`: QEMU's `qemu-io --version` first line, for cases saved since it is recorded. */
  engine: { name: 'builtin' | 'qemu'; version: string; versionLine?: string; mutants: string[] };
  image: FuzzImageOptions;
  contentSeed: number;
  statesPerCrash: number;
  operations: FuzzOp[];
  crash: CaseCrash | null;
  violation: Violation;
  seed: { campaign: number; fastCheck: number; path: string };
  replay: string;
  /** The older single record: what the case does on the version of `engine.version` (case-expectations.ts). */
  expectation?: 'fails' | 'passes';
  /** What the case does per version key ("builtin", "7.2.22", "10.0.2"); see case-expectations.ts. */
  expectations?: Record<string, ReplayVerdict>;
  fault?: CaseFault;
}

/** The damage a case replays (null for other cases). */
export function caseDamage(c: Pick<FuzzCase, 'fault'>): Damage | null {
  return c.fault?.kind === 'damage' ? (c.fault.damage ?? null) : null;
}

/** The I/O-error fault a case replays (null for other cases). */
export function caseEio(c: Pick<FuzzCase, 'fault'>): EioFault | null {
  return c.fault?.kind === 'eio' ? c.fault : null;
}

/** A case file that is not valid JSON or breaks the schema. */
export class InvalidCaseError extends Error {
  readonly code = 'INVALID_CASE' as const;
  constructor(readonly path: string, detail: string) {
    super(`${path}: not a valid crashcow case: ${detail}`);
    this.name = 'InvalidCaseError';
  }
}

export function isInvalidCaseError(err: unknown): err is InvalidCaseError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'INVALID_CASE';
}

/** True for what readCase throws on a user's file: an invalid case, or the OS error of an unreadable path. */
export function isCaseReadError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return isInvalidCaseError(err) || (typeof code === 'string' && code.startsWith('E'));
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    validator = new Ajv({ allErrors: true, strict: false }).compile(caseSchema);
  }
  return validator;
}

/** Throws InvalidCaseError unless `value` is a valid case. */
export function assertValidCase(value: unknown, path: string): asserts value is FuzzCase {
  const v = validate();
  if (!v(value)) throw new InvalidCaseError(path, (v.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
}

/** Reads and validates a case file. @throws InvalidCaseError, or the OS error for an unreadable file */
export function readCase(path: string): FuzzCase {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as { code?: string }).code) throw err;
    throw new InvalidCaseError(path, (err as Error).message);
  }
  assertValidCase(value, path);
  return value;
}

/** Validates and writes a case file (pretty JSON). @throws InvalidCaseError for an invalid case (our bug) */
export function writeCase(path: string, c: FuzzCase): void {
  const plain = JSON.parse(JSON.stringify(c)) as unknown;
  assertValidCase(plain, path);
  writeFileSync(path, JSON.stringify(plain, null, 2) + '\n');
}
