/**
 * RunOutcome: what one fuzz run returns (Jepsen's history plus the checker's verdict): pass, fail
 * with the violation, or stopped (abandoned at a deadline, or a crash it could not recover from
 * here: no verdict); the operations applied; for a crash-state failure the recorded crash that
 * holds the failing state; and the run's counters. A failure is this value, never an exception.
 */
import type { Damage } from '../damage/damage.js';
import type { FuzzOp } from '../model/fuzz-op.js';
import type { EioFault } from '../nemesis/eio-fault.js';
import type { Violation } from '../violation.js';
import type { CrashEvidence } from './crash-evidence.js';
import type { RunStats } from './run-stats.js';

interface OutcomeBase {
  /** Every op applied, with the write ids and names it was given (the last one is where it failed). */
  history: readonly FuzzOp[];
  stats: RunStats;
  /** The I/O-error fault the run armed (`--faults eio`), its operation resolved: a case records it. */
  eio?: EioFault;
}

export type RunOutcome =
  | (OutcomeBase & { verdict: 'pass' | 'stopped' })
  | (OutcomeBase & {
      verdict: 'fail';
      violation: Violation;
      /** The crash state that broke the property, with its recorded crash; null for a lockstep or damage failure. */
      crash: CrashEvidence | null;
      /** A damage run's failure: the damage whose repair broke P7. */
      damage?: Damage;
    });

export type FailedRun = Extract<RunOutcome, { verdict: 'fail' }>;

/** True when the outcome is a failure. */
export function isFailure(o: RunOutcome): o is FailedRun {
  return o.verdict === 'fail';
}
