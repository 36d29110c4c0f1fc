/**
 * The lockstep check after a flush or a close: the image on the device, read through spec/ (never
 * through the engine), must equal the model's guest view (the active disk and every snapshot), and
 * every invariant must hold: no finding at all, except that a dirty lazy-refcount image may have
 * stale-refcount findings. After a clean close the dirty bit must be clear (P2). Sectors with
 * several candidates (after a discard) are resolved to what the image holds.
 */
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { countedRules, intolerableWhenDirtyAfterFlush, summarizeCheck } from '../oracle/check-summary.js';
import { intolerableAfterFault } from '../../../spec/semantics/crash-properties.js';
import { judgeData } from '../oracle/judge-data.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import type { GuestModel } from '../model/guest-model.js';
import type { BackingDevice } from '../spec-view.js';
import { ruleSet, type Violation } from '../violation.js';

interface LockstepInput {
  source: ByteSource;
  backing: BackingDevice | undefined;
  model: GuestModel;
  /** The durability expectation now (every op completed): sizes and snapshots to compare. */
  expectation: DurabilityExpectation;
  contentSeed: number;
  lazyRefcounts: boolean;
  /** True after a clean close (reopen): the image must be clean and not dirty. */
  closed: boolean;
  stage: string;
  /** True after an injected I/O error (P6-3): leaked clusters are allowed. */
  leaksAllowed?: boolean;
}

/** Runs the lockstep check; resolves multi-candidate sectors in the model when it passes. */
export function lockstepCheck(input: LockstepInput): Violation | null {
  const { source, stage } = input;
  const s = summarizeCheck(source);
  if (s.dirty && (input.closed || !input.lazyRefcounts)) {
    const rules = input.closed ? ['FEAT-1', 'LAZY-4'] : ['FEAT-1', 'LAZY-2'];
    return { property: 'P2', rules, summary: input.closed ? 'the dirty bit is set after a clean close' : 'the dirty bit is set on an image without lazy refcounts', stage, expected: 'dirty bit clear', actual: 'dirty bit set' };
  }
  const bad = s.dirty ? intolerableWhenDirtyAfterFlush(s) : input.leaksAllowed ? intolerableAfterFault(s) : countedRules(s);
  if (bad.length > 0) {
    const f = s.report.findings.find((x) => bad.includes(x.rule) && x.kind !== 'info');
    return { property: input.closed ? 'P2' : 'LOCKSTEP', rules: ruleSet(bad), summary: `the image breaks invariants: ${f ? `${f.rule} at ${f.where}: ${f.detail}` : bad.join(', ')}`, stage, expected: s.dirty ? 'stale-refcount findings only' : 'no finding', actual: `${s.report.corruptions} corruptions, ${s.report.leaks} leaks, ${s.report['check-errors']} check errors` };
  }
  return compareWithModel(input);
}

function compareWithModel(input: LockstepInput): Violation | null {
  const observed = new Map<number, string>();
  const v = judgeData(input.source, input.backing, input.expectation, input.contentSeed, input.stage, observed);
  if (v) return { ...v, property: 'LOCKSTEP' };
  for (const [sector, value] of observed) input.model.resolve(sector, value);
  return null;
}
