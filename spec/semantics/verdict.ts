/**
 * Verdict: what a predicate of spec/semantics says of its input. It holds; it is violated, naming
 * the clause of the predicate that failed, the rule ids involved and the smallest witness; or it is
 * unknown, when the input cannot decide it (saying why, and which rule stood in the way if one did).
 * The holds verdict is one shared value, so a predicate that holds allocates nothing.
 */

export interface Holds {
  readonly status: 'holds';
}

export interface Violated<W> {
  readonly status: 'violated';
  /** Clause id of the predicate that failed, e.g. "GD-1" or "P1-2". */
  readonly clause: string;
  /** Rule ids the violation involves (spec/ clauses and checker rules), sorted, unique. */
  readonly rules: readonly string[];
  readonly witness: W;
}

export interface Unknown {
  readonly status: 'unknown';
  readonly reason: string;
  /** The rule whose breach left the input undecidable, when one did. */
  readonly rule?: string;
}

export type Verdict<W> = Holds | Violated<W> | Unknown;

/** The one holds verdict. */
export const HOLDS: Holds = Object.freeze({ status: 'holds' });

/** A violated verdict of `clause`; `rules` are sorted and made unique. */
export function violated<W>(clause: string, rules: Iterable<string>, witness: W): Violated<W> {
  return { status: 'violated', clause, rules: ruleSet(rules), witness };
}

/** An unknown verdict. */
export function unknown(reason: string, rule?: string): Unknown {
  return rule === undefined ? { status: 'unknown', reason } : { status: 'unknown', reason, rule };
}

/** Sorted unique rule ids. */
export function ruleSet(rules: Iterable<string>): string[] {
  return [...new Set(rules)].sort();
}
