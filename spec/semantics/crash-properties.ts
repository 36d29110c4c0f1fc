/**
 * Crash properties (P1-P5): what an image a crash left may break, and what a recovery must leave.
 * Pure predicates over plain data (the facts of one check of an image, and how a recovery ran)
 * returning a Verdict whose clause names the part of the property that failed:
 * - P1-1: an image whose dirty bit is clear has no harmful corruption and no check error (a leak
 *   and a COPIED flag that agrees with the true reference count are allowed).
 * - P1-2: a dirty lazy-refcount image has only findings that follow from unwritten refcounts.
 * - P2-1: the dirty bit is never set on an image without lazy refcounts.
 * - P2-2: a repair that leaves findings keeps the dirty bit of a dirty image.
 * - P3-1: a recovery succeeds. P3-2: a repair, or the recovery of a dirty image, ends clean (no
 *   corruption, leak or check error). P3-3: a read-write open and close of an image whose dirty bit
 *   is clear leaves no harmful corruption. P3-4: a recovery clears the dirty bit.
 * - P4-1: a recovered image keeps GD-1..GD-4 (durability.ts). P4-2: its guest view can be read.
 * - P5-1: after a crash inside a recovery, the same recovery run again keeps P2 and P3 (its
 *   recoveredVerdict holds). P5-2: its result keeps P4.
 * - P6 error paths (an I/O error injected into one request, `--faults eio`; see the end of the file).
 */
import type { Finding, FindingKind } from '../invariants/finding.js';
import { HOLDS, ruleSet, violated, type Verdict } from './verdict.js';

/** The properties of the fuzzer, and LOCKSTEP: the model check after a flush or close (P7: damage-repair-properties.ts). */
export type PropertyName = 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P6' | 'P7' | 'LOCKSTEP';

export const propertyTitles: Record<PropertyName, string> = {
  P1: 'ordering: an image whose dirty bit is clear has no corruption',
  P2: 'dirty bit: never set without lazy refcounts; clear after a clean close; kept by a repair that leaves errors',
  P3: 'repair: recovery ends clean and a second check finds nothing',
  P4: 'durability: flushed data survives, nothing appears that nobody wrote',
  P5: 'repair under crash: a crash during recovery, then recovery again, keeps P3 and P4',
  P6: 'error paths: an operation whose request failed reports it; the engine keeps working or fails every later request; no metadata points at a cluster nobody wrote',
  P7: 'repair of damage: check -r all succeeds with a clean image or refuses saying why, keeps every guest cluster the damage left alone, never cross-wires guest data, and survives a crash inside it',
  LOCKSTEP: 'lockstep: after a flush or close the image matches the model and every invariant holds',
};

/** The clauses of the crash properties, each with its property. */
export const crashClauses = {
  'P1-1': 'P1',
  'P1-2': 'P1',
  'P2-1': 'P2',
  'P2-2': 'P2',
  'P3-1': 'P3',
  'P3-2': 'P3',
  'P3-3': 'P3',
  'P3-4': 'P3',
  'P4-1': 'P4',
  'P4-2': 'P4',
  'P5-1': 'P5',
  'P5-2': 'P5',
  'P6-1': 'P6',
  'P6-2': 'P6',
  'P6-3': 'P6',
  'P6-4': 'P6',
} as const satisfies Record<string, PropertyName>;
export type CrashClause = keyof typeof crashClauses;

/** What the crash properties read of one check of an image (the checker's report, plus facts). */
export interface CheckFacts {
  /** Incompatible bit 0 (FEAT-1). */
  dirty: boolean;
  report: {
    corruptions: number;
    leaks: number;
    'check-errors': number;
    /** The findings listed (a few witnesses per rule). */
    findings: readonly Finding[];
    /** Per rule and kind, the findings counted but not listed. */
    'findings-omitted': readonly { rule: string; kind: FindingKind; count: number }[];
  };
  corruptionRules: readonly string[];
  leakRules: readonly string[];
  errorRules: readonly string[];
  /** Rules of the corruptions harmfulCorruptions keeps. */
  harmfulCorruptionRules: readonly string[];
  /** The listed findings, with every witness of the rules weighed one by one (WEIGHED_RULES). */
  findings: readonly Finding[];
}

/**
 * Rules a dirty lazy-refcount image may break: refcounts not yet written back, and the COPIED
 * flags that follow from them (LAZY-3).
 */
const DIRTY_TOLERATED_RULES: ReadonlySet<string> = new Set(['RC-6', 'RC-7', 'L1-3', 'L2-2', 'FEAT-1']);

/** Rules whose witnesses the crash properties weigh one by one: CheckFacts.findings lists them all. */
export const WEIGHED_RULES: ReadonlySet<string> = new Set(['L1-3', 'L2-2', 'AL-4']);

/** Rules of the COPIED flag (active L1 and L2 tables). */
const COPIED_RULES: ReadonlySet<string> = new Set(['L1-3', 'L2-2']);

/**
 * True for a corruption a crash may not leave on an image whose dirty bit is clear. A COPIED
 * mismatch that agrees with the true reference count (flag clear; or set on a cluster referenced
 * once whose stored refcount leaked above 1) is not harmful: snapshot creation cannot avoid a
 * crash window where flag and stored refcount disagree, and it costs at most an extra
 * copy-on-write. A set flag on a cluster referenced more than once (a write in place would change
 * the other reference) is harmful. `referenceCountOf` gives a cluster's true reference count.
 */
export function isHarmfulCorruption(f: Finding, referenceCountOf: (clusterIndex: number) => number): boolean {
  if (!COPIED_RULES.has(f.rule)) return true;
  const w = f.witness;
  if (w?.copied === false) return false;
  return w?.clusterIndex === undefined || referenceCountOf(w.clusterIndex) !== 1;
}

/** True when the judgement of `corruptions` needs true reference counts (a COPIED flag set). */
export function needsReferenceCounts(corruptions: readonly Finding[]): boolean {
  return corruptions.some((f) => COPIED_RULES.has(f.rule) && f.witness?.copied === true);
}

/**
 * True for a finding a crash may leave on a dirty lazy-refcount image: stale refcounts and what
 * follows from them, and an L2 entry to a data cluster past the end of the file (under lazy
 * refcounts no refcount flush orders the unflushed data write before the L2 link; the guest
 * data it loses is P4's business). L2 tables themselves are always durable before their L1 link.
 */
export function toleratedWhenDirty(f: Finding): boolean {
  if (DIRTY_TOLERATED_RULES.has(f.rule)) return true;
  return f.rule === 'AL-4' && f.witness?.table === 'l2';
}

/** Rule ids of counted findings a dirty image must not have after a flush: all but stale refcounts. */
export function intolerableWhenDirtyAfterFlush(s: CheckFacts): string[] {
  return [...s.corruptionRules, ...s.errorRules].filter((r) => !DIRTY_TOLERATED_RULES.has(r));
}

/**
 * P1-2: rule ids of counted findings a crash must not leave on a dirty lazy-refcount image.
 * Findings counted without being listed are judged by their rule (the weighed rules are listed in full).
 */
function intolerableWhenDirty(s: CheckFacts): string[] {
  const kept = s.findings.filter((f) => (f.kind === 'corruption' || f.kind === 'check-error') && !toleratedWhenDirty(f));
  const omitted = s.report['findings-omitted'].filter((o) => o.kind !== 'leak' && o.kind !== 'info' && !DIRTY_TOLERATED_RULES.has(o.rule) && !WEIGHED_RULES.has(o.rule));
  return ruleSet([...kept.map((f) => f.rule), ...omitted.map((o) => o.rule)]);
}

/** P1-1: rule ids of counted findings a crash may not leave on an image whose dirty bit is clear. */
function intolerableWhenClean(s: CheckFacts): string[] {
  return ruleSet([...s.harmfulCorruptionRules, ...s.errorRules]);
}

/** Rule ids of every counted finding (corruptions, check errors, leaks). */
export function countedRules(s: CheckFacts): string[] {
  return ruleSet([...s.corruptionRules, ...s.errorRules, ...s.leakRules]);
}

/** True when the check found no check error and no harmful corruption. */
function hasNoHarmfulCorruption(s: CheckFacts): boolean {
  return s.harmfulCorruptionRules.length === 0 && s.report['check-errors'] === 0;
}

/** True when the check found nothing at all: no corruption, no leak, no check error. */
export function isClean(s: CheckFacts): boolean {
  return s.report.corruptions === 0 && s.report['check-errors'] === 0 && s.report.leaks === 0;
}

/** The witness of a crash-property violation: the check's counts and the first listed finding of its rules. */
export interface CrashWitness {
  /** Absent when the clause is about the dirty bit or a failed recovery. */
  check?: { corruptions: number; leaks: number; checkErrors: number; dirty: boolean };
  /** The first listed finding (not info) of the rules broken, when one is listed. */
  finding?: Finding;
  /** P3-1: why the recovery failed. */
  failure?: string;
}

/** P1, P2-1 on an image as the crash left it. */
export function stateAsLeftVerdict(s: CheckFacts, lazyRefcounts: boolean): Verdict<CrashWitness> {
  if (s.dirty && !lazyRefcounts) return violated('P2-1', ['FEAT-1', 'LAZY-2'], {});
  const bad = s.dirty ? intolerableWhenDirty(s) : intolerableWhenClean(s);
  if (bad.length === 0) return HOLDS;
  return violated(s.dirty ? 'P1-2' : 'P1-1', bad, checkWitness(s, bad));
}

/** How a recovery ran, as the crash properties need it. */
export interface RecoveryFacts {
  /** Set when the recovery failed; `unsupported` when it could not run here at all. */
  failure?: { rule?: string; message: string; unsupported?: boolean };
}

/**
 * P2 and P3 on a recovery's result `after` (null when the recovery failed). `wasDirty` says
 * whether the image it recovered was dirty (then it must leave a clean image); `full` marks a
 * repair, which must always leave a clean image. Unknown when the recovery could not run.
 */
export function recoveredVerdict(wasDirty: boolean, run: RecoveryFacts, after: CheckFacts | null, full: boolean, lazyRefcounts: boolean): Verdict<CrashWitness> {
  if (run.failure?.unsupported) return { status: 'unknown', reason: run.failure.message };
  if (run.failure) return violated('P3-1', [run.failure.rule ?? 'REP-2'], { failure: run.failure.message });
  const s = after!;
  if (s.dirty && !lazyRefcounts) return violated('P2-1', ['FEAT-1', 'LAZY-2'], {});
  const mustBeClean = full || wasDirty;
  const ok = mustBeClean ? isClean(s) : hasNoHarmfulCorruption(s);
  if (!ok) {
    if (full && wasDirty && !s.dirty) return violated('P2-2', ['LAZY-4', ...countedRules(s)], checkWitness(s, countedRules(s)));
    const rules = mustBeClean ? countedRules(s) : intolerableWhenClean(s);
    return violated(mustBeClean ? 'P3-2' : 'P3-3', rules, checkWitness(s, rules));
  }
  if (s.dirty) return violated('P3-4', ['FEAT-1', 'LAZY-4'], {});
  return HOLDS;
}

/**
 * P4 from the durability verdict of a recovered image: a GD violation is P4-1; a guest view the
 * spec cannot read (durability unknown because the image breaks `rule`) is P4-2.
 */
export function durabilityPropertyVerdict<W>(durability: Verdict<W>): Verdict<W | { reason: string }> {
  if (durability.status === 'holds') return durability;
  if (durability.status === 'violated') return violated('P4-1', durability.rules, durability.witness);
  if (durability.rule === undefined) return durability;
  return violated('P4-2', [durability.rule], { reason: durability.reason });
}

function checkWitness(s: CheckFacts, rules: readonly string[]): CrashWitness {
  const r = s.report;
  const w: CrashWitness = { check: { corruptions: r.corruptions, leaks: r.leaks, checkErrors: r['check-errors'], dirty: s.dirty } };
  const f = r.findings.find((x) => rules.includes(x.rule) && x.kind !== 'info');
  if (f !== undefined) w.finding = f;
  return w;
}

/** What P5 reads of the judgement of a recovery re-run after a crash inside it: the property broken and its rules. */
export interface RerunBreak {
  /** P2 or P3 (from recoveredVerdict) or P4 (from durabilityPropertyVerdict). */
  property: PropertyName;
  rules: readonly string[];
}

/**
 * P5 on the same recovery run again after a crash inside a recovery: `rerun` is what that re-run
 * broke (null when it kept P2, P3 and P4). A P2 or P3 break is P5-1, a P4 break P5-2; the rules are
 * the break's own. The witness names the property broken.
 */
export function repairUnderCrashVerdict(rerun: RerunBreak | null): Verdict<{ property: PropertyName }> {
  if (rerun === null) return HOLDS;
  return violated(rerun.property === 'P4' ? 'P5-2' : 'P5-1', rerun.rules, { property: rerun.property });
}

/*
 * P6 error paths: one request of the engine (a write or a flush) fails with an injected EIO or
 * ENOSPC, once or from then on until the image is closed (a dead disk).
 * - P6-1: an operation during which an injected request failed reports an error, never success;
 *   except that an engine may drop a request it does not need (QEMU ignores a failed lazy-refcounts
 *   dirty mark and keeps its refcounts exact instead): where the target cannot tell which of its
 *   requests failed, an operation that reported success counts as done, and the next lockstep
 *   breaks P6-1 if it was not.
 * - P6-2: after that operation, until the image is closed, the engine keeps working (every later
 *   operation succeeds) or fails every later operation; never some of each.
 * - P6-3: after it, a flush or a close and reopen leaves an image that keeps the lockstep, with
 *   the failed operation counting as done or not, sector by sector; leaks are allowed.
 * - P6-4: no metadata points at a host cluster that was neither referenced when the image was
 *   opened nor written since (a link to a cluster whose write failed).
 * A crash at any later point is judged by P1-P5 as ever, the failed operation counting as in
 * flight: its sectors may have landed or not.
 */

/** P6-1: `fired` says an injected request failed during the operation, `reportedError` that it failed. */
export function failedOperationVerdict(fired: boolean, reportedError: boolean): Verdict<{ fired: boolean }> {
  if (!fired || reportedError) return HOLDS;
  return violated('P6-1', ['P6-1'], { fired });
}

/**
 * P6-2 on the outcomes (true: succeeded) of the operations after the failed one, in order, up to
 * the close: all alike. The witness is the index of the first outcome unlike the first.
 */
export function laterRequestsVerdict(outcomes: readonly boolean[]): Verdict<{ index: number }> {
  const index = outcomes.findIndex((ok) => ok !== outcomes[0]);
  return index < 0 ? HOLDS : violated('P6-2', ['P6-2'], { index });
}

/** The rules of the counted findings an image may not have after a fault (leaks are allowed: P6-3). */
export function intolerableAfterFault(s: CheckFacts): string[] {
  return ruleSet([...s.corruptionRules, ...s.errorRules]);
}

/**
 * P6-4: `referenced` are the host clusters the image's metadata references now that it did not
 * reference when it was opened; each must have been written since (`written`). The witness is the
 * first that was not.
 */
export function newReferencesVerdict(referenced: Iterable<number>, written: (clusterIndex: number) => boolean): Verdict<{ clusterIndex: number }> {
  for (const c of referenced) if (!written(c)) return violated('P6-4', ['P6-4'], { clusterIndex: c });
  return HOLDS;
}
