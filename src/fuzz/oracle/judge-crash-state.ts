/**
 * The verdicts of the crash properties, as pure functions of check summaries and recovery runs:
 * P1 and P2 on a state as the crash left it; P2 and P3 on a recovery's result; P4 through
 * judgeData. CrashStateJudge composes them over the states of a crash.
 */
import type { BackingDevice } from '../spec-view.js';
import type { FuzzTarget, RecoveryRun } from '../target/fuzz-target.js';
import { ruleSet, type Violation } from '../violation.js';
import { countedRules, hasNoHarmfulCorruption, intolerableWhenClean, intolerableWhenDirty, isClean, type CheckSummary } from './check-summary.js';

export interface CrashJudgeContext {
  target: FuzzTarget;
  backing: BackingDevice | undefined;
  lazyRefcounts: boolean;
  contentSeed: number;
  /** Counts recoveries that could not run (no verdict). */
  unknown: { count: number };
}

/** P1 and P2 on the image a crash left. */
export function judgeStateAsLeft(s: CheckSummary, lazyRefcounts: boolean, stage: string): Violation | null {
  if (s.dirty && !lazyRefcounts) {
    return { property: 'P2', rules: ['FEAT-1', 'LAZY-2'], summary: 'the dirty bit is set on an image without lazy refcounts', stage, expected: 'dirty bit clear', actual: 'dirty bit set' };
  }
  const bad = s.dirty ? intolerableWhenDirty(s) : intolerableWhenClean(s);
  if (bad.length === 0) return null;
  const what = s.dirty ? 'a dirty image has findings beyond stale refcounts' : 'an image whose dirty bit is clear has corruptions';
  return { property: 'P1', rules: ruleSet(bad), summary: `${what}: ${firstFinding(s, bad)}`, stage, expected: s.dirty ? 'stale-refcount findings only' : 'no corruption (leaks and a clear COPIED flag allowed)', actual: countsOf(s) };
}

/**
 * P2 and P3 on a recovery's result; `wasDirty` says whether the crash state was dirty (then the
 * recovery repaired it and must leave no leak either), `full` demands a clean image (a repair).
 */
export function judgeRecovered(before: Pick<CheckSummary, 'dirty'>, run: RecoveryRun, after: CheckSummary | null, how: string, full: boolean, lazyRefcounts: boolean, stage: string): Violation | null {
  if (run.failure) {
    return { property: 'P3', rules: ruleSet([run.failure.rule ?? 'REP-2']), summary: `${how} failed: ${run.failure.message}`, stage, expected: 'recovery succeeds', actual: run.failure.message };
  }
  const s = after!;
  if (s.dirty && !lazyRefcounts) return { property: 'P2', rules: ['FEAT-1', 'LAZY-2'], summary: `${how} left the dirty bit set on an image without lazy refcounts`, stage, expected: 'dirty bit clear', actual: 'dirty bit set' };
  const mustBeClean = full || before.dirty;
  const ok = mustBeClean ? isClean(s) : hasNoHarmfulCorruption(s);
  if (!ok) {
    if (full && before.dirty && !s.dirty) {
      return { property: 'P2', rules: ruleSet(['LAZY-4', ...countedRules(s)]), summary: `${how} cleared the dirty bit but left findings: ${firstFinding(s, countedRules(s))}`, stage, expected: 'dirty bit kept while errors remain', actual: countsOf(s) };
    }
    const rules = mustBeClean ? countedRules(s) : intolerableWhenClean(s);
    return { property: 'P3', rules, summary: `${how} left findings: ${firstFinding(s, rules)}`, stage, expected: mustBeClean ? 'clean: no corruption, leak or check error' : 'no corruption (leaks and a clear COPIED flag allowed)', actual: countsOf(s) };
  }
  if (s.dirty) return { property: 'P3', rules: ['FEAT-1', 'LAZY-4'], summary: `${how} left the dirty bit set`, stage, expected: 'dirty bit clear', actual: 'dirty bit set' };
  return null;
}

function countsOf(s: CheckSummary): string {
  return `${s.report.corruptions} corruptions, ${s.report.leaks} leaks, ${s.report['check-errors']} check errors${s.dirty ? ', dirty' : ''}`;
}

function firstFinding(s: CheckSummary, rules: readonly string[]): string {
  const f = s.report.findings.find((x) => rules.includes(x.rule) && x.kind !== 'info');
  return f ? `${f.rule} at ${f.where}: ${f.detail}` : rules.join(', ');
}
