/**
 * What a case is recorded to do on each engine version: fails (the failure reproduces), passes
 * (it does not) or diverges (the engine wrote something else, so the crash state does not exist).
 * Records are keyed by a version key: "builtin" for the built-in engine, the x.y.z number of the
 * QEMU version line ("7.2.22", "10.0.2") for QEMU; two builds with one number share a record. A
 * version without a record is unknown. An old case's single `expectation` is the record of the
 * version it was made with (its `engine.version`), read with its old rule: `passes` also accepts a
 * diverged replay. A record in `expectations` wins over it.
 */
import type { FuzzCase } from './fuzz-case.js';

/** What one replay of a case did. */
export type ReplayVerdict = 'fails' | 'passes' | 'diverges';

/** The version key of the built-in engine (mutants or not). */
export const BUILTIN_VERSION_KEY = 'builtin';

/** One record: the verdict, and whether it comes from the old single `expectation` field. */
export interface Expectation {
  verdict: ReplayVerdict;
  legacy: boolean;
}

/**
 * The version key of an engine version or version line: "builtin" for "crashcow-builtin ...",
 * "7.2.22" for "qemu-io 7.2.22 (Debian ...)" or "qemu-io version 7.2.22 (...)"; a line without a
 * version number is its own key.
 */
export function versionKeyOf(engineVersion: string): string {
  if (engineVersion.startsWith('crashcow-builtin')) return BUILTIN_VERSION_KEY;
  const m = /(?:^|\s)(?:version\s+)?v?(\d+\.\d+(?:\.\d+)?)(?=[\s,)]|$)/.exec(engineVersion);
  return m ? m[1] : engineVersion.trim();
}

/** The key of the version a case was made with. */
export function recordedVersionKey(c: FuzzCase): string {
  return versionKeyOf(c.engine.version);
}

/** The record for version `key`, or undefined when the case has none (unknown). */
export function expectationFor(c: FuzzCase, key: string): Expectation | undefined {
  const verdict = c.expectations?.[key];
  if (verdict !== undefined) return { verdict, legacy: false };
  if (c.expectation !== undefined && key === recordedVersionKey(c)) return { verdict: c.expectation, legacy: true };
  return undefined;
}

/** Every record of a case, by version key (the old `expectation` folded in). */
export function allExpectations(c: FuzzCase): Record<string, ReplayVerdict> {
  const out: Record<string, ReplayVerdict> = {};
  if (c.expectation !== undefined) out[recordedVersionKey(c)] = c.expectation;
  return { ...out, ...(c.expectations ?? {}) };
}

/** True when a replay that did `measured` is what `expected` records. */
export function asRecorded(expected: Expectation, measured: ReplayVerdict): boolean {
  if (expected.legacy && expected.verdict === 'passes') return measured !== 'fails';
  return expected.verdict === measured;
}

/**
 * The case with `measured` recorded (merged over its records, the old `expectation` folded into
 * `expectations` in its place), versions sorted: builtin first, then by number.
 */
export function withExpectations(c: FuzzCase, measured: Readonly<Record<string, ReplayVerdict>>): FuzzCase {
  const merged = { ...allExpectations(c), ...measured };
  const expectations = Object.fromEntries(Object.keys(merged).sort(compareVersionKeys).map((k) => [k, merged[k]]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'expectation') out.expectations = expectations;
    else if (k !== 'expectations') out[k] = v;
  }
  out.expectations = expectations;
  return out as unknown as FuzzCase;
}

/** Orders version keys: "builtin" first, then numerically ("7.2.22" before "10.0.2"), then the rest. */
export function compareVersionKeys(a: string, b: string): number {
  const rank = (k: string): number => (k === BUILTIN_VERSION_KEY ? 0 : /^\d/.test(k) ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
