/**
 * Finding: what an invariant reports when an image breaks one of its rules.
 *
 * Every predicate in spec/invariants returns findings (never throws on one). A finding names the
 * rule by clause id, its class (a spec rule or an implementation limit), how `qemu-img check`
 * would count it (`kind`), where in the image it is, and the smallest witness in `detail`.
 */

/** `spec`: a rule of the qcow2 specification. `qimpl`: an implementation limit (QEMU's, or crashcow's own). */
export type RuleClass = 'spec' | 'qimpl';

/**
 * How a finding counts: `corruption` and `leak` as in qemu-img check's counters, `check-error`
 * when the check cannot be completed (or the image cannot be opened at all), `info` for facts
 * worth saying that count nowhere (a dirty image, a witness already counted under another rule).
 */
export type FindingKind = 'corruption' | 'leak' | 'check-error' | 'info';

export interface Finding {
  /** Clause id, e.g. "L2-3", "RC-6" or "QIMPL-L1-SIZE". */
  rule: string;
  class: RuleClass;
  kind: FindingKind;
  /** Location: host offsets, table and entry indexes, snapshot index. */
  where: string;
  /** What is wrong, with the smallest witness (entry value, refcount, expected count). */
  detail: string;
  /** Set when qemu-img 7.2 judges this differently: a sentence saying how. */
  qemu?: string;
}

/** The shared empty result: predicates return it on the common, clean path (no allocation). */
export const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

/** Said of findings where the spec is stricter than qemu-img check. */
export const QEMU_DOES_NOT_FLAG = 'qemu-img 7.2 does not flag this; crashcow follows the spec and counts it.';

/** Said of witnesses whose damage is already counted under another rule. */
export const QEMU_COUNTS_ELSEWHERE = 'qemu-img 7.2 counts this damage only through its refcount comparison; crashcow names it here without counting it twice.';

/** Implementation limits (QEMU's QIMPL-* and crashcow's CRASHCOW-*) form their own class. */
export function ruleClassOf(rule: string): RuleClass {
  return rule.startsWith('QIMPL') || rule.startsWith('CRASHCOW') ? 'qimpl' : 'spec';
}

/** Builds a finding; the class follows from the rule id. */
export function finding(rule: string, kind: FindingKind, where: string, detail: string, qemu?: string): Finding {
  const f: Finding = { rule, class: ruleClassOf(rule), kind, where, detail };
  if (qemu !== undefined) f.qemu = qemu;
  return f;
}

/** "0x1f000" for locations; exact for bigint input. */
export function hexOf(value: number | bigint): string {
  return '0x' + value.toString(16);
}

/** An entry given as two 32-bit halves, printed exactly as 16 hex digits. */
export function entryHex(hi: number, lo: number): string {
  return '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
