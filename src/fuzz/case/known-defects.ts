/**
 * Defects on record: the cases of a directory (a corpus) recorded as failing, each with
 * the identity a campaign dedupes findings by (engine, mutants, property and rules). `crashcow fuzz
 * --known DIR` skips them; the main job names findings that match one as known.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { violationSignature } from '../violation.js';
import { expectationFor, recordedVersionKey } from './case-expectations.js';
import { readCase } from './fuzz-case.js';

export interface KnownDefect {
  file: string;
  engine: 'builtin' | 'qemu';
  mutants: readonly string[];
  /** violationSignature of the recorded violation. */
  signature: string;
}

/**
 * The still-failing cases in `dir` (its *.json files, sorted): those recorded as failing on the
 * version key `versionKey` (of the engine about to run) or, with no record for it, on the version
 * they were made with. @throws InvalidCaseError, or the OS error for an unreadable directory
 */
export function knownDefects(dir: string, versionKey?: string): KnownDefect[] {
  const out: KnownDefect[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = join(dir, name);
    const c = readCase(file);
    const record = (versionKey === undefined ? undefined : expectationFor(c, versionKey)) ?? expectationFor(c, recordedVersionKey(c));
    if (record?.verdict !== 'fails') continue;
    out.push({ file, engine: c.engine.name, mutants: c.engine.mutants, signature: violationSignature(c.violation) });
  }
  return out;
}

/** True when `d` was found by a campaign of `engine` with exactly `mutants` (in any order). */
export function knownFor(d: KnownDefect, engine: string, mutants: readonly string[]): boolean {
  return d.engine === engine && d.mutants.length === mutants.length && d.mutants.every((m) => mutants.includes(m));
}
