/**
 * classifyCase: replays a failing case on a baseline engine (a fresh target, the built-in one
 * without mutants, or with the baseline's, or the baseline's QEMU) and classes the failure:
 * `pre-existing` when the baseline breaks the same property and rules (violationSignature),
 * `regression` when it does not, `diverged` when no verdict can be had. The recorded crash state
 * is judged on the baseline when the baseline's writes make that very state (exact-state.ts: the
 * same storage operations up to the crash, with the same operations durable and in flight as on
 * the case's own engine, crash-on-own-engine.ts). Otherwise (the baseline wrote in another order,
 * or other writes) the baseline is judged on its own crash states at the crash points that
 * correspond to the case's: those with the same operations durable and in flight
 * (window-crash-points.ts), within the case's states-per-crash budget (judge-window.ts).
 * `diverged` then means that the baseline has no such point, that the case's crash cannot be
 * placed on its own engine, or that the baseline could not run the operations up to the crash.
 */
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import { caseDamage, type FuzzCase } from '../case/fuzz-case.js';
import { replayCase } from '../case/replay-case.js';
import { replayToCrash } from '../case/replay-to-state.js';
import { evidenceJudge, type RecordedCrash } from '../runner/crash-evidence.js';
import type { FuzzTarget } from '../target/fuzz-target.js';
import { makeTarget } from '../target/make-target.js';
import { violationSignature, type Violation } from '../violation.js';
import type { Baseline, FindingClass } from './baseline.js';
import { crashOnOwnEngine, type OwnCrash } from './crash-on-own-engine.js';
import { describeWindow } from './describe-window.js';
import { exactState } from './exact-state.js';
import { judgeWindow, type WindowVerdict } from './judge-window.js';
import { windowCrashPoints } from './window-crash-points.js';

export interface Classification {
  class: FindingClass;
  /** One line: what the replay on the baseline did. */
  detail: string;
}

/**
 * Classes case `c` (read from `path`) against `baseline`; the callers check that the case's engine
 * is the baseline's. `qemu` is the QEMU build the case's failure was found on (a QEMU case is
 * replayed there too, to compare its crash with the baseline's).
 * @throws SetupError when a QEMU cannot run; InvalidCaseError or FormatError for a case that does not fit its operations
 */
export async function classifyCase(c: FuzzCase, baseline: Baseline, path: string, qemu?: QemuBinaries): Promise<Classification> {
  if (c.engine.name !== baseline.engine) throw new Error(`classifyCase: a ${c.engine.name} case against a ${baseline.engine} baseline`);
  const target = await makeTarget(baseline.engine, baseline.mutants ?? [], baseline.qemu);
  try {
    if (caseDamage(c)) return await classifyDamage(c, target, path);
    const r = await replayToCrash(c, target, path);
    if (r.kind === 'damage') throw new Error('classifyCase: a damage replay of a case without damage');
    if (r.kind === 'diverged') return { class: 'diverged', detail: `the baseline does not reach the crash of crash state ${c.crash?.stateId ?? ''} (${r.reason})` };
    if (r.kind === 'ended') return classOf(c.violation, r.outcome.verdict === 'fail' ? r.outcome.violation : null);
    const own = await crashOnOwnEngine(c, path, qemu);
    if ('unplaced' in own) return { class: 'diverged', detail: `crash state ${c.crash!.stateId} cannot be placed among the case's operations (${own.unplaced})` };
    const exact = exactState(c.crash!, own, r.recorded, c.statesPerCrash);
    if ('notExact' in exact) return await classifyAtWindow(c, r.recorded, own, `exact state not rebuildable: ${exact.notExact}`);
    return classOf(c.violation, await evidenceJudge(r.recorded)(exact));
  } finally {
    await target.dispose();
  }
}

/** A damage case: the baseline's repair of the same damage to the image its own run closed. */
async function classifyDamage(c: FuzzCase, target: FuzzTarget, path: string): Promise<Classification> {
  const r = await replayCase(c, target, path);
  if (r.diverged !== undefined) return { class: 'diverged', detail: `the baseline's image does not take the recorded damage (${r.diverged})` };
  return classOf(c.violation, r.violation);
}

/** The class of one verdict of the baseline on the recorded state, or on its run before the crash. */
function classOf(recorded: Violation, v: Violation | null): Classification {
  if (v && violationSignature(v) === violationSignature(recorded)) return { class: 'pre-existing', detail: `the baseline breaks ${signatureText(v)} too` };
  return { class: 'regression', detail: v ? `the baseline breaks ${signatureText(v)} instead` : 'the baseline passes' };
}

/** Classes the case by the baseline's own states at the crash points corresponding to its crash. */
async function classifyAtWindow(c: FuzzCase, recorded: RecordedCrash, own: OwnCrash, head: string): Promise<Classification> {
  const window = own.window;
  const plan = new CrashPlan(recorded.segmentBase, recorded.storageOps, { maxStates: c.statesPerCrash, seed: c.contentSeed });
  const points = windowCrashPoints(plan.crashPoints(), recorded.oracle.entries, recorded.storageOps.length, window);
  const where = describeWindow(c.operations, window);
  if (points.length === 0) return { class: 'diverged', detail: `${head}; the baseline never crashes with ${where}: an operation in flight there on the case's engine writes nothing on the baseline` };
  const v = await judgeWindow(recorded, plan, points, c.statesPerCrash, violationSignature(c.violation));
  const sig = signatureText(c.violation);
  if (v.same) return { class: 'pre-existing', detail: `${head}; baseline state ${v.same.state.id} at crash point ${v.same.state.crashPoint} (${where}) breaks ${sig} too` };
  const at = `${points.length > 1 ? `${points.length} crash points, ` : 'crash point '}${runsText(points)} (${where})`;
  if (v.judged === v.unknown) return { class: 'diverged', detail: `${head}; none of the ${v.judged} baseline states at ${at} could be judged (a recovery cannot run there)` };
  return { class: 'regression', detail: `${head}; ${v.judged} baseline states at ${at} judged, ${scopeText(v)}: none breaks ${sig}${othersText(v)}` };
}

/** "every state there" or "sampled from 5000" (a space past 2^53: "sampled from more than 2^53"). */
function scopeText(v: WindowVerdict): string {
  if (v.exhaustive) return 'every state there';
  return `sampled from ${v.stateCount <= Number.MAX_SAFE_INTEGER ? v.stateCount : 'more than 2^53'}`;
}

function othersText(v: WindowVerdict): string {
  const other = v.other.first ? `; ${v.other.count} break another property first (${signatureText(v.other.first)} the first)` : '';
  const unknown = v.unknown > 0 ? `; ${v.unknown} without a verdict on a recovery that cannot run there` : '';
  return other + unknown;
}

/**
 * Ascending integers as runs ("3-5, 9"), at most RUNS_SHOWN of them and then how many more
 * numbers follow ("..., and 40 more").
 */
function runsText(xs: readonly number[]): string {
  const runs: string[] = [];
  let shown = 0;
  for (let i = 0; i < xs.length && runs.length < RUNS_SHOWN; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    runs.push(j === i ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    shown = j + 1;
    i = j + 1;
  }
  return runs.join(', ') + (shown < xs.length ? `, and ${xs.length - shown} more` : '');
}

/** Runs a detail line lists before it counts the rest (a bulk write makes hundreds of crash points). */
const RUNS_SHOWN = 8;

function signatureText(v: Pick<Violation, 'property' | 'rules'>): string {
  return `${v.property} [${v.rules.join(', ')}]`;
}
