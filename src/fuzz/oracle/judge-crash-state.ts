/**
 * The verdicts of the crash properties on check summaries and recovery runs, as Violations: P1 and
 * P2 on a state as the crash left it; P2 and P3 on a recovery's result; P4 through judgeData.
 * The decisions are spec/semantics/crash-properties.ts's; this file only words them.
 * CrashStateJudge composes them over the states of a crash.
 */
import { crashClauses, countedRules, recoveredVerdict, stateAsLeftVerdict, type CrashClause, type CrashWitness } from '../../../spec/semantics/crash-properties.js';
import type { Violated } from '../../../spec/semantics/verdict.js';
import type { BackingDevice } from '../spec-view.js';
import type { FuzzTarget, RecoveryRun } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import type { CheckSummary } from './check-summary.js';
import type { JudgeMode } from './state-checker.js';

export interface CrashJudgeContext {
  target: FuzzTarget;
  backing: BackingDevice | undefined;
  lazyRefcounts: boolean;
  contentSeed: number;
  /** Counts recoveries that could not run (no verdict). */
  unknown: { count: number };
  /** How a state is checked as the crash left it (`crashcow fuzz --judge`; default incremental). */
  judge?: JudgeMode;
}

/** P1 and P2 on the image a crash left. */
export function judgeStateAsLeft(s: CheckSummary, lazyRefcounts: boolean, stage: string): Violation | null {
  const v = stateAsLeftVerdict(s, lazyRefcounts);
  if (v.status !== 'violated') return null;
  const clause = v.clause as CrashClause;
  if (clause === 'P2-1') return dirtyWithoutLazy(v, 'the dirty bit is set on an image without lazy refcounts', stage);
  const dirty = clause === 'P1-2';
  const what = dirty ? 'a dirty image has findings beyond stale refcounts' : 'an image whose dirty bit is clear has corruptions';
  const expected = dirty ? 'stale-refcount findings only' : NO_HARMFUL_CORRUPTION;
  return { property: 'P1', rules: [...v.rules], summary: `${what}: ${firstFinding(v)}`, stage, expected, actual: countsOf(v.witness) };
}

/**
 * P2 and P3 on a recovery's result; `before.dirty` says whether the crash state was dirty (then the
 * recovery repaired it and must leave no leak either), `full` demands a clean image (a repair).
 * Null when the properties hold, and when the recovery could not run (unknown).
 */
export function judgeRecovered(before: Pick<CheckSummary, 'dirty'>, run: RecoveryRun, after: CheckSummary | null, how: string, full: boolean, lazyRefcounts: boolean, stage: string): Violation | null {
  const v = recoveredVerdict(before.dirty, run, after, full, lazyRefcounts);
  if (v.status !== 'violated') return null;
  const property = crashClauses[v.clause as CrashClause];
  const rules = [...v.rules];
  const w = v.witness;
  switch (v.clause as CrashClause) {
    case 'P3-1':
      return { property, rules, summary: `${how} failed: ${w.failure}`, stage, expected: 'recovery succeeds', actual: w.failure! };
    case 'P2-1':
      return dirtyWithoutLazy(v, `${how} left the dirty bit set on an image without lazy refcounts`, stage);
    case 'P2-2':
      return { property, rules, summary: `${how} cleared the dirty bit but left findings: ${firstFinding(v, countedRules(after!))}`, stage, expected: 'dirty bit kept while errors remain', actual: countsOf(w) };
    case 'P3-2':
      return { property, rules, summary: `${how} left findings: ${firstFinding(v)}`, stage, expected: 'clean: no corruption, leak or check error', actual: countsOf(w) };
    case 'P3-3':
      return { property, rules, summary: `${how} left findings: ${firstFinding(v)}`, stage, expected: NO_HARMFUL_CORRUPTION, actual: countsOf(w) };
    default:
      return { property, rules, summary: `${how} left the dirty bit set`, stage, expected: 'dirty bit clear', actual: 'dirty bit set' };
  }
}

const NO_HARMFUL_CORRUPTION = 'no corruption (leaks and a clear COPIED flag allowed)';

function dirtyWithoutLazy(v: Violated<CrashWitness>, summary: string, stage: string): Violation {
  return { property: 'P2', rules: [...v.rules], summary, stage, expected: 'dirty bit clear', actual: 'dirty bit set' };
}

function countsOf(w: CrashWitness): string {
  const c = w.check!;
  return `${c.corruptions} corruptions, ${c.leaks} leaks, ${c.checkErrors} check errors${c.dirty ? ', dirty' : ''}`;
}

/** The witness finding in words, else the rules (`rules`: those the witness was chosen among). */
function firstFinding(v: Violated<CrashWitness>, rules: readonly string[] = v.rules): string {
  const f = v.witness.finding;
  return f ? `${f.rule} at ${f.where}: ${f.detail}` : rules.join(', ');
}
