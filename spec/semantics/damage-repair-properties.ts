/**
 * P7, repair of damage: what `check -r all` must do with an image whose media was damaged after a
 * run left it consistent (bit flips and zeroed sectors in metadata, a lost write, a misdirected
 * write). Pure predicates over plain data (the repair's exit code and message, one check of its
 * result, and per guest sector a few facts) returning a Verdict whose clause names the part broken:
 * - P7-1: a repair that reports success (exit 0) leaves an image that a second check finds clean:
 *   no corruption, no leak, no check error, and the dirty bit clear.
 * - P7-2: a repair either succeeds (exit 0) or refuses (exit 1) and says why. Exiting 2 or 3
 *   (corruptions or leaks left after `-r all`), any other code, a refusal without a reason, or a
 *   crash of the repair itself is neither.
 * - P7-3: after a successful repair, every guest sector of a cluster whose mapping the damage left
 *   alone (header mapping fields, L1 entry, L2 entry and data cluster: mapping-dependencies.ts)
 *   reads what it read before the damage.
 * - P7-4: after a successful repair, no guest sector reads data written for another guest offset,
 *   unless the damaged image already read exactly those bytes there. Whether a damaged entry or an
 *   intact one owns a cluster both claim cannot be told from the image (QCOW2-FACTS REP-4); a
 *   repair that keeps what the guest already read adds nothing, one that wires a sector to
 *   foreign data does.
 * - P7-5: after a crash inside a successful repair, the same repair run again succeeds and keeps
 *   P7-1, P7-3 and P7-4 (P5's machinery, on the repair of a damaged image).
 * A refusal is always allowed: the damage-repair table counts how often each repair refuses.
 */
import { countedRules, isClean, type CheckFacts, type CrashWitness } from './crash-properties.js';
import { HOLDS, violated, type Verdict } from './verdict.js';

/** The clauses of P7. */
export const damageClauses = ['P7-1', 'P7-2', 'P7-3', 'P7-4', 'P7-5'] as const;
export type DamageClause = (typeof damageClauses)[number];

/** What a repair reported: its exit code (qemu-img check's codes, CHK-4), null when it crashed, and what it said. */
export interface RepairOutcome {
  exitCode: number | null;
  /** Its message: why it refused, or how it failed. */
  message: string;
}

/** Exit codes of `check -r all` (CHK-4). */
export const RepairExit = { clean: 0, refused: 1, corruptions: 2, leaks: 3 } as const;

/** P7-1 and P7-2 on a repair's outcome; `after` is a check of the image it left (null when it did not succeed). */
export function repairOutcomeVerdict(o: RepairOutcome, after: CheckFacts | null): Verdict<CrashWitness> {
  if (o.exitCode === null) return violated('P7-2', ['P7-2', 'REP-2'], { failure: `the repair crashed: ${o.message}` });
  if (o.exitCode === RepairExit.refused) {
    if (o.message.trim() !== '') return HOLDS;
    return violated('P7-2', ['P7-2', 'CHK-4'], { failure: 'the repair refused (exit 1) without saying why' });
  }
  if (o.exitCode !== RepairExit.clean) {
    const w: CrashWitness = { failure: `the repair exited ${o.exitCode}${o.message.trim() ? `: ${o.message.trim()}` : ''}`, ...(after ? checkOf(after, countedRules(after)) : {}) };
    return violated('P7-2', ['P7-2', 'CHK-4', ...witnessRule(w)], w);
  }
  if (after === null) throw new Error('assertion failed: a repair that exited 0 needs a check of its result');
  if (after.dirty || !isClean(after)) {
    const w = checkOf(after, countedRules(after));
    return violated('P7-1', ['P7-1', ...(after.dirty ? ['FEAT-1'] : []), ...witnessRule(w)], w);
  }
  return HOLDS;
}

/**
 * The rule of the witness finding: P7-1 and P7-2 name the first finding left, not every rule
 * left, so that one defect of a repair makes one finding of a campaign, however many findings each
 * damage leaves behind.
 */
function witnessRule(w: CrashWitness): string[] {
  return w.finding ? [w.finding.rule] : [];
}

/** What P7-3 and P7-4 read of one guest sector after a successful repair. */
export interface RepairedSectorFacts {
  /** The damage touched what maps the sector's cluster (mapping-dependencies.ts). */
  mappingDamaged: boolean;
  /** The sector holds what it held before the damage. */
  readsAsBefore: boolean;
  /** Some of its bytes were written for another guest offset (their content tags say so). */
  foreign: boolean;
  /** The damaged image, before the repair, read exactly these bytes at this sector. */
  sameAsDamaged: boolean;
}

/** P7-3 and P7-4 on one sector. */
export function repairedSectorVerdict(f: RepairedSectorFacts): Verdict<Record<string, never>> {
  if (f.foreign && !f.sameAsDamaged) return violated('P7-4', ['P7-4', 'REP-4'], {});
  if (!f.mappingDamaged && !f.readsAsBefore) return violated('P7-3', ['P7-3', 'REP-4'], {});
  return HOLDS;
}

/**
 * P7-5 on the repair run again after a crash inside a successful repair: `rerun` is the clause the
 * re-run broke with its rules (P7-1..P7-4), or, for a refusal, P7-2 (a repaired image must stay
 * repairable); null when it kept them.
 */
export function repairUnderCrashOfDamageVerdict(rerun: { clause: string; rules: readonly string[] } | null): Verdict<{ clause: string }> {
  if (rerun === null) return HOLDS;
  return violated('P7-5', ['P7-5', ...rerun.rules.filter((r) => !r.startsWith('P7-'))], { clause: rerun.clause });
}

function checkOf(s: CheckFacts, rules: readonly string[]): CrashWitness {
  const r = s.report;
  const w: CrashWitness = { check: { corruptions: r.corruptions, leaks: r.leaks, checkErrors: r['check-errors'], dirty: s.dirty } };
  // A COPIED flag that disagrees with a refcount follows from the refcount: the witness is the cause when one is listed.
  const listed = r.findings.filter((x) => rules.includes(x.rule) && x.kind !== 'info');
  const f = listed.find((x) => !CONSEQUENCE_RULES.has(x.rule)) ?? listed[0];
  if (f !== undefined) w.finding = f;
  return w;
}

/** The COPIED rules (L1-3, L2-2): their findings follow from a refcount's, so they witness only when alone. */
const CONSEQUENCE_RULES: ReadonlySet<string> = new Set(['L1-3', 'L2-2']);
