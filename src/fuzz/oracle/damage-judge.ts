/**
 * judgeDamage: P7 on one damaged image (the checker of the damage nemesis). The consistent image a
 * run left gets the damage's patches; each repair the target answers for (`damageRepairers`:
 * crashcow's on the built-in engine, qemu-img's on QEMU) runs on it; its outcome and a second check
 * of its result are judged (P7-1, P7-2), then its guest data (P7-3, P7-4), then a few crashes inside
 * it, each followed by the same repair again (P7-5, with P5's crash-state generator). The
 * decisions are spec/semantics/damage-repair-properties.ts's; this file runs and words them.
 */
import { repairOutcomeVerdict, repairUnderCrashOfDamageVerdict, RepairExit, type RepairOutcome } from '../../../spec/semantics/damage-repair-properties.js';
import { mappingDamage, type MappingDamage } from '../../../spec/semantics/mapping-damage.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { applyDamage, changedRanges, type Damage } from '../damage/damage.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import type { BackingDevice } from '../spec-view.js';
import { wroteNothing, type FuzzTarget, type RecoveryRun, type Repairer } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import { summarizeCheck } from './check-summary.js';
import { judgeRepairedData } from './judge-repaired-data.js';
import { holdsSameBytes, P5_STATES_PER_RECOVERY } from './repair-under-crash.js';

export interface DamageJudgeContext {
  target: FuzzTarget;
  backing: BackingDevice | undefined;
  contentSeed: number;
}

/** A damaged image and what P7 compares it with. */
export interface Damaged {
  damage: Damage;
  device: BlockDevice;
  mapping: MappingDamage;
  /** What the guest read before the damage. */
  exp: DurabilityExpectation;
  /** "bit-flip of L2 table @0x30000 entry 5, bit 42". */
  label: string;
}

/**
 * P7 for `damage` applied to `clean` (a consistent image whose guest view `exp` describes); null
 * when every repair keeps it. The violation's stage names the damage and the repair.
 * @throws Error when `clean` does not hold the damage's `before` bytes (check with applyDamage first)
 */
export async function judgeDamage(ctx: DamageJudgeContext, clean: BlockDevice, damage: Damage, exp: DurabilityExpectation): Promise<Violation | null> {
  const d = damagedImage(clean, damage, exp);
  for (const r of ctx.target.damageRepairers ?? ctx.target.repairers) {
    const run = await r.repair(d.device);
    const v = judgeRepairRun(ctx, d, run, r.name, `damage ${d.label}, after ${r.name}`);
    if (v) return v;
    if (outcomeOf(run).exitCode === RepairExit.clean) {
      const p5 = await judgeCrashInsideRepair(ctx, d, r, run);
      if (p5) return p5;
    }
  }
  return null;
}

/**
 * `damage` applied to `clean`, with the guest clusters it reached.
 * @throws Error when `clean` does not hold the damage's `before` bytes
 */
export function damagedImage(clean: BlockDevice, damage: Damage, exp: DurabilityExpectation): Damaged {
  const device = applyDamage(clean, damage);
  if (device === null) throw new Error(`assertion failed: the image does not hold the bytes damage "${damage.where}" records`);
  const mapping = mappingDamage(toByteSource(clean), toByteSource(device), changedRanges(damage, clean.sizeBytes));
  return { damage, device, mapping, exp, label: `${damage.kind} of ${damage.where}` };
}

/** P7-1 to P7-4 on one run of a repair of the damaged image (no crash inside it). */
export function judgeRepairRun(ctx: DamageJudgeContext, d: Damaged, run: RecoveryRun, how: string, stage: string): Violation | null {
  const outcome = outcomeOf(run);
  const checked = outcome.exitCode === RepairExit.refused || outcome.exitCode === null ? null : summarizeCheck(toByteSource(run.device));
  const v = repairOutcomeVerdict(outcome, checked);
  if (v.status === 'violated') {
    const w = v.witness;
    const found = w.finding ? `${w.finding.rule} at ${w.finding.where}: ${w.finding.detail}` : '';
    const counts = w.check ? `${w.check.corruptions} corruptions, ${w.check.leaks} leaks, ${w.check.checkErrors} check errors${w.check.dirty ? ', dirty' : ''}` : (w.failure ?? '');
    const summary = v.clause === 'P7-1' ? `${how} reported success but left findings: ${found || counts}` : `${how} neither repaired nor refused: ${w.failure ?? ''}${found ? `; ${found}` : ''}`;
    const expected = v.clause === 'P7-1' ? 'a clean image (no corruption, leak or check error; dirty bit clear)' : 'exit 0 with a clean image, or exit 1 saying why';
    return { property: 'P7', rules: [...v.rules], summary, stage, expected, actual: counts };
  }
  if (outcome.exitCode !== RepairExit.clean) return null;
  return judgeRepairedData({ repaired: toByteSource(run.device), damaged: toByteSource(d.device), backing: ctx.backing, exp: d.exp, contentSeed: ctx.contentSeed, damage: d.mapping, stage });
}

/**
 * P7-5: crash states inside a successful repair (seeded, a few), each repaired again by the same
 * repair, which must succeed and keep P7-1, P7-3 and P7-4. A state holding the damaged image's
 * very bytes is passed over (its repair is the one already judged).
 */
async function judgeCrashInsideRepair(ctx: DamageJudgeContext, d: Damaged, r: Repairer, run: RecoveryRun): Promise<Violation | null> {
  if (wroteNothing(run.ops)) return null;
  const plan = new CrashPlan(d.device, run.ops, { maxStates: P5_STATES_PER_RECOVERY, seed: 0 });
  for (const inner of plan.states()) {
    if (inner.crashPoint === run.ops.length && inner.sizeCode === 0 && inner.codes.every((c) => c === 0)) continue;
    if (holdsSameBytes(inner.view(), d.device, run.ops.slice(0, inner.crashPoint))) continue;
    const again = await r.repair(inner.view());
    const stage = `damage ${d.label}, crash ${inner.id} inside ${r.name}, then ${r.name} again`;
    const outcome = outcomeOf(again);
    const broken =
      outcome.exitCode === RepairExit.refused
        ? { violation: { property: 'P7' as const, rules: ['CHK-4'], summary: `${r.name} refused an image its own interrupted repair left: ${outcome.message}`, stage, expected: 'exit 0 with a clean image', actual: `exit 1: ${outcome.message}` }, clause: 'P7-2' }
        : wrap(judgeRepairRun(ctx, d, again, r.name, stage));
    const p7 = repairUnderCrashOfDamageVerdict(broken === null ? null : { clause: broken.clause, rules: broken.violation.rules });
    if (p7.status === 'violated' && broken) return { ...broken.violation, rules: [...p7.rules], summary: `after a crash inside the repair: ${broken.violation.summary}` };
  }
  return null;
}

function wrap(v: Violation | null): { violation: Violation; clause: string } | null {
  return v === null ? null : { violation: v, clause: v.rules.find((x) => x.startsWith('P7-')) ?? 'P7' };
}

/** What the repair reported; a run without a report (an engine's recovery) counts by its failure. */
export function outcomeOf(run: RecoveryRun): RepairOutcome {
  if (run.outcome) return run.outcome;
  return run.failure ? { exitCode: null, message: run.failure.message } : { exitCode: RepairExit.clean, message: '' };
}
