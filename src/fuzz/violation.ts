/**
 * Violation: one broken property, named (P1..P5, or LOCKSTEP for the model check after a flush or
 * close), with the rule ids from spec/ that the checker's findings carry, and the smallest witness.
 * A violation is data: a run's outcome carries it (src/fuzz/runner/run-outcome.ts).
 */

/** The properties of the fuzzer (see src/fuzz/README in the module comments of properties/*). */
export type PropertyName = 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'LOCKSTEP';

export const propertyTitles: Record<PropertyName, string> = {
  P1: 'ordering: an image whose dirty bit is clear has no corruption',
  P2: 'dirty bit: never set without lazy refcounts; clear after a clean close; kept by a repair that leaves errors',
  P3: 'repair: recovery ends clean and a second check finds nothing',
  P4: 'durability: flushed data survives, nothing appears that nobody wrote',
  P5: 'repair under crash: a crash during recovery, then recovery again, keeps P3 and P4',
  LOCKSTEP: 'lockstep: after a flush or close the image matches the model and every invariant holds',
};

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

/** Sorted unique rule ids. */
export function ruleSet(rules: Iterable<string>): string[] {
  return [...new Set(rules)].sort();
}

/** A violation's signature: the same property and rules count as one finding in a campaign. */
export function violationSignature(v: Pick<Violation, 'property' | 'rules'>): string {
  return `${v.property}:${v.rules.join(',')}`;
}
