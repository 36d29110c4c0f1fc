/**
 * FuzzFinding: what a job reports for each failing batch: the finalized case (without its replay
 * line and file name), the batch it came from, and the signatures it stands for (the run's and,
 * when shrinking the crash state changed the rules, the case's). The campaign decides whether it is
 * new; jobs report every one.
 */
import type { FuzzCase } from '../case/fuzz-case.js';
import { violationSignature, type Violation } from '../violation.js';

export interface FuzzFinding {
  case: FuzzCase;
  batchIndex: number;
  signatures: string[];
}

/** The finding of case `c`, found by a run that broke `found`, in batch `batchIndex`. */
export function findingOf(c: FuzzCase, found: Violation, batchIndex: number): FuzzFinding {
  const signatures = [...new Set([violationSignature(c.violation), violationSignature(found)])];
  return { case: c, batchIndex, signatures };
}
