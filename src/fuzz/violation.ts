/**
 * Violation: one broken property, named (P1..P5, or LOCKSTEP for the model check after a flush or
 * close), with the rule ids from spec/ that the checker's findings carry, and the smallest witness.
 * A violation is data: a run's outcome carries it (src/fuzz/runner/run-outcome.ts).
 */

import type { PropertyName } from '../../spec/semantics/crash-properties.js';

/** The properties and their titles are stated in spec/semantics/crash-properties.ts. */
export { propertyTitles, type PropertyName } from '../../spec/semantics/crash-properties.js';

/** The smallest witness of a data mismatch: a guest sector, what may be there, what is. */
export interface SectorWitness {
  guestOffsetBytes: number;
  sectorIndex: number;
  /** Candidate values (sector-value keys) the model allows. */
  expected: string[];
  /** Origin of the bytes found, from the content tags. */
  actual: string;
  /** Which image: "active" or "snapshot NAME". */
  view: string;
}

export interface Violation {
  property: PropertyName;
  /** Rule ids (spec/ clauses and checker rules) the violation involves, sorted, unique. */
  rules: string[];
  /** One line for people. */
  summary: string;
  /** Where it was seen: "crash state c12.g9.z0 after recovery by the engine", "lockstep after op 7". */
  stage: string;
  expected: string;
  actual: string;
  sector?: SectorWitness;
}

export { ruleSet } from '../../spec/semantics/verdict.js';

/** A violation's signature: the same property and rules count as one finding in a campaign. */
export function violationSignature(v: Pick<Violation, 'property' | 'rules'>): string {
  return `${v.property}:${v.rules.join(',')}`;
}
