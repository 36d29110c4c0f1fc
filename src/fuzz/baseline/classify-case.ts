/**
 * classifyCase: replays a failing case on a baseline engine (replayCase over a fresh target, the
 * built-in one without mutants or the baseline's QEMU) and classes the failure: `pre-existing` when
 * the baseline breaks the same property and rules (violationSignature), `diverged` when the
 * baseline wrote something else so the recorded crash state does not exist there, `regression`
 * otherwise (the baseline passes, or breaks something else).
 */
import { replayCase } from '../case/replay-case.js';
import type { FuzzCase } from '../case/fuzz-case.js';
import { makeTarget } from '../target/make-target.js';
import { violationSignature } from '../violation.js';
import type { Baseline, FindingClass } from './baseline.js';

export interface Classification {
  class: FindingClass;
  /** One line: what the replay on the baseline did. */
  detail: string;
}

/**
 * Classes case `c` (read from `path`) against `baseline`; the callers check that the case's engine
 * is the baseline's. @throws SetupError when the baseline QEMU cannot run; InvalidCaseError or
 * FormatError for a case that does not fit its operations
 */
export async function classifyCase(c: FuzzCase, baseline: Baseline, path: string): Promise<Classification> {
  if (c.engine.name !== baseline.engine) throw new Error(`classifyCase: a ${c.engine.name} case against a ${baseline.engine} baseline`);
  const target = await makeTarget(baseline.engine, [], baseline.qemu);
  try {
    const r = await replayCase(c, target, path);
    if (r.diverged !== undefined) return { class: 'diverged', detail: `the baseline wrote something else, so crash state ${c.crash?.stateId ?? ''} does not exist there (${r.diverged})` };
    const broke = r.violation ? `${r.violation.property} [${r.violation.rules.join(', ')}]` : '';
    if (r.violation && violationSignature(r.violation) === violationSignature(c.violation)) return { class: 'pre-existing', detail: `the baseline breaks ${broke} too` };
    return { class: 'regression', detail: r.violation ? `the baseline breaks ${broke} instead` : 'the baseline passes' };
  } finally {
    await target.dispose();
  }
}
