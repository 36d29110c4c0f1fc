/**
 * EioNemesis: the I/O-error nemesis of one run and its judge, P6 (spec/semantics/crash-properties.ts).
 * It takes a plan (fast-check's draw) or a case's fault, says where the run arms it (for a target
 * that arms at open, after a reopen the run puts right before the operation), watches each
 * operation's outcome against the failures the target injected, and judges:
 * - P6-1: the operation during which a request failed reports an error; on a target that cannot
 *   tell which of its requests failed (QEMU), one that reported success is held to its word: it
 *   counts as done, and the next lockstep judges it (a mismatch there breaks P6-1);
 * - P6-2: after it, until the close, every later operation succeeds or every one fails (once mode);
 * - P6-3 and P6-4 at every lockstep after the fault (leaks allowed; no reference to an unwritten cluster).
 * What a failed operation does to the model is the run's business (failed-op-effect.ts); this
 * file never touches the engine or the model.
 */
import { failedOperationVerdict, laterRequestsVerdict } from '../../../spec/semantics/crash-properties.js';
import type { Verdict } from '../../../spec/semantics/verdict.js';
import { isEngineError } from '../../engine/engine-error.js';
import { isInjectedFault } from '../../storage/injected-fault.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { describeOp, type FuzzOp } from '../model/fuzz-op.js';
import type { FuzzSession } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import { describeEioFault, isEioPlan, resolveEioPlan, type EioFault, type EioPlan } from './eio-fault.js';
import type { EioHooks } from './eio-hooks.js';
import { newReferencesOf } from './new-references.js';

/** What the run does before an operation: nothing, arm the fault, or apply a reopen that arms it first. */
export type EioStep = 'arm' | 'reopen-then-arm' | null;

/** How an operation ended, as the nemesis judges it. */
export interface EioOpResult {
  violation?: Violation;
  /** The operation reported an injected I/O error (or failed after one): its effect is in doubt. */
  failed: boolean;
}

export class EioNemesis {
  /** The fault once resolved (a case's from the start). */
  fault: EioFault | null;
  /** True from the fault's first failure until the run recovers a fresh image: leaks allowed, P6-3/P6-4 judged. */
  faultInSegment = false;
  private eligibleSeen = 0;
  private armed = false;
  private awaitingOpen = false;
  /** True once the fault made a request fail (or an operation report it). */
  fired = false;
  private postFault = false;
  private outcomes: boolean[] = [];
  private failuresBefore: number | null = null;
  /**
   * The operation (`op N (…)`) by which a target without exact failures showed that its failing
   * request was issued (the log shows it once a later write follows), while the operations
   * reported success: QEMU ignores the failure of some writes it does not need (the lazy-refcounts
   * dirty mark), so the next lockstep decides whether they kept their word.
   */
  private unconfirmed: string | null = null;

  constructor(
    private readonly source: EioPlan | EioFault,
    private readonly hooks: EioHooks,
  ) {
    this.fault = isEioPlan(source) ? null : source;
  }

  /** The step before the operation at history index `index` (the index it gets if applied now). */
  beforeOp(op: FuzzOp, index: number): EioStep {
    if (op.kind === 'crash' || this.armed || this.awaitingOpen) return null;
    const atOpen = this.hooks.arming === 'at-open';
    if (!isEioPlan(this.source)) {
      if (this.fired) return null;
      const armIndex = atOpen ? this.source.op - 1 : this.source.op;
      return index === armIndex && (!atOpen || op.kind === 'reopen') ? 'arm' : null;
    }
    if (this.fault !== null || !this.hooks.canArmAt(op)) return null;
    if (this.eligibleSeen++ !== this.source.opOrdinal) return null;
    this.fault = resolveEioPlan(this.source, atOpen ? index + 1 : index, atOpen);
    return atOpen ? 'reopen-then-arm' : 'arm';
  }

  /** Arms the fault through the session's hooks (call right before the operation the step names). */
  arm(): void {
    this.hooks.arm(this.fault!);
    if (this.hooks.arming === 'now') this.armed = true;
    else this.awaitingOpen = true;
  }

  /** Call right before an operation runs. */
  startOp(): void {
    this.failuresBefore = this.hooks.failures();
  }

  /**
   * Judges an operation that ran (`index` in the history; `error` what it threw, if it threw).
   * P6-1 and P6-2 violations come back as Violations; `failed` says the run must treat its effect as in doubt.
   */
  afterOp(op: FuzzOp, index: number, threw: boolean, error: unknown): EioOpResult {
    if (this.awaitingOpen) {
      if (op.kind === 'reopen' && !threw) [this.awaitingOpen, this.armed] = [false, true];
      // A target that cannot always tell when its fault fired lets its leftovers (leaks) count from the arming.
      if (this.armed && !this.hooks.exactFailures) this.faultInSegment = true;
      return { failed: false };
    }
    if (!this.armed && !this.postFault) return { failed: false };
    const reported = threw && (isInjectedFault(error) || isEngineError(error));
    if (threw && !reported) return { failed: false };
    // qemu-io says nothing when a flush fails: one that reported nothing may have failed, so it
    // makes nothing durable and is not judged (P6-1, P6-2 are judged on the operations that say).
    if (op.kind === 'flush' && !threw && !this.hooks.exactFailures) return { failed: true };
    const after = this.hooks.failures();
    const rose = (after ?? 0) > (this.failuresBefore ?? 0);
    const stage = `op ${index + 1} (${describeOp(op)}), ${describeEioFault(this.fault!)}`;
    const out: EioOpResult = { failed: reported };
    if (!this.fired && (rose || (after === null && reported))) {
      [this.fired, this.postFault, this.faultInSegment, this.outcomes] = [true, true, true, []];
      if (reported || this.hooks.exactFailures) out.violation = p6Violation(failedOperationVerdict(true, reported), stage, 'the operation reports the I/O error', 'it reported success');
      else this.unconfirmed = `op ${index + 1} (${describeOp(op)})`;
    } else if (this.postFault) {
      if (rose && this.hooks.exactFailures) out.violation = p6Violation(failedOperationVerdict(true, reported), stage, 'the operation reports the I/O error', 'it reported success');
      if (!out.violation && this.fault!.mode === 'once') {
        this.outcomes.push(!threw);
        const v = laterRequestsVerdict(this.outcomes);
        out.violation = p6Violation(v, stage, 'after the failed operation, every later one succeeds or every one fails', `operations after it: ${this.outcomes.map((ok) => (ok ? 'ok' : 'failed')).join(', ')}`);
      }
    }
    if (op.kind === 'reopen') this.openEnded();
    return out;
  }

  /** The image was closed (a reopen, a crash or a kill): the fault's window ends, the disk is healthy again. */
  openEnded(): void {
    this.armed = false;
    this.postFault = false;
  }

  /** The run recovered a fresh image (leaks repaired): the segment no longer carries the fault's leftovers. */
  segmentRestarted(): void {
    this.openEnded();
    this.faultInSegment = false;
    this.unconfirmed = null;
  }

  /**
   * P6-3 and P6-4 at a lockstep after the fault: `lockstep` is the lockstep's own violation (judged
   * with leaks allowed); without one, P6-4 on the image the session holds. A lockstep violation
   * after an operation that reported success although its request failed breaks P6-1 too.
   */
  judgeLockstep(lockstep: Violation | null, session: FuzzSession, stage: string): Violation | null {
    const what = describeEioFault(this.fault!);
    const unconfirmed = this.unconfirmed;
    this.unconfirmed = null;
    if (lockstep && unconfirmed !== null) {
      return { ...lockstep, property: 'P6', rules: [...new Set(['P6-1', 'P6-3', ...lockstep.rules])].sort(), summary: `after ${what}, whose failing write the log showed by ${unconfirmed} while the operations reported success: ${lockstep.summary}`, expected: `the operation reports the I/O error or does what it reported; ${lockstep.expected}` };
    }
    if (lockstep) return { ...lockstep, property: 'P6', rules: [...new Set(['P6-3', ...lockstep.rules])].sort(), summary: `after ${what}: ${lockstep.summary}` };
    const v = newReferencesOf(toByteSource(session.segmentBase), toByteSource(session.current()), session.ops());
    if (v.status !== 'violated') return null;
    const at = `host cluster ${v.witness.clusterIndex}`;
    return { property: 'P6', rules: [...v.rules], summary: `after ${what}: the metadata references ${at}, which nothing wrote since the image was opened`, stage, expected: 'every newly referenced cluster was written', actual: `${at} is referenced and was never written` };
  }
}

function p6Violation<W>(v: Verdict<W>, stage: string, expected: string, actual: string): Violation | undefined {
  if (v.status !== 'violated') return undefined;
  return { property: 'P6', rules: [...v.rules], summary: `${v.clause}: ${expected}, but ${actual}`, stage, expected, actual };
}
