/**
 * `crashcow replay [--expect] [--qemu DIR] CASE.json...`: re-runs saved fuzz cases
 * deterministically, QEMU cases on the QEMU of `--qemu DIR` (else CRASHCOW_QEMU_DIR, else PATH).
 * Exit 1 when a case's failure reproduces (any, if several), 0 when none does any more, 2 when a
 * case is invalid (not JSON, against the schema, a malformed state id, or a crash state without a
 * final crash operation) or QEMU cannot be run, 3 when a case diverged: the engine wrote something
 * else than the case records, so its crash state does not exist in this replay and gets no verdict
 * (exit 2 wins over 3, and 3 over 1 and 0).
 *
 * With `--expect` (a CI job over corpus/), each case is judged against its record for the version
 * it runs on (case-expectations.ts: "builtin", or QEMU's x.y.z): exit 0 when every case does what
 * that record says, 1 when any does otherwise, 4 when none does otherwise but a case has no record
 * for this version (unknown: it is reported with what it did, never counted as recorded), 2 as
 * above (2 wins over 1, 1 over 4, 4 over 0).
 *
 * With `--baseline builtin|qemu:DIR` (not with `--expect`), each case that fails is replayed on the
 * baseline and classed: regression, pre-existing or diverged (src/fuzz/baseline). `--fail-on
 * regression` then makes exit 1 mean "a case is a regression": a failure that is not one exits 0
 * (2 and 3 keep their meaning and precedence).
 */
import { isFormatError } from '../../../spec/format/format-error.js';
import { isMutantName, type MutantName } from '../../engine/mutants.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import { countClasses, type Baseline, type FindingClass } from '../../fuzz/baseline/baseline.js';
import { classifyCase } from '../../fuzz/baseline/classify-case.js';
import { asRecorded, expectationFor, versionKeyOf, type Expectation, type ReplayVerdict } from '../../fuzz/case/case-expectations.js';
import { isCaseReadError, isInvalidCaseError, readCase, type FuzzCase } from '../../fuzz/case/fuzz-case.js';
import { replayCase } from '../../fuzz/case/replay-case.js';
import { describeImageOptions } from '../../fuzz/image-options.js';
import { makeTarget } from '../../fuzz/target/make-target.js';
import { isSetupError } from '../../fuzz/target/setup-error.js';
import type { Command } from '../command.js';
import { parseArgs } from '../parse-args.js';
import { qemuFlagSpec, qemuFlagValue, resolveQemuOrReport } from '../qemu-flag.js';
import { UsageError } from '../usage-error.js';
import { baselineFlagSpecs, failOnOf, failsOn, resolveBaselineOrReport } from '../baseline-flag.js';

type Outcome = 'reproduces' | 'passes' | 'diverged' | 'invalid';

/** The exit code of a replay in which a case diverged (see the module comment). */
export const EXIT_DIVERGED = 3;

/** The exit code of `--expect` when a case has no record for the version it ran on, and none differs. */
export const EXIT_UNKNOWN_VERSION = 4;

interface Replayed {
  path: string;
  outcome: Outcome;
  /** The version key the case ran on (absent for an invalid case). */
  versionKey?: string;
  /** The case's record for that version (absent: unknown, or an invalid case). */
  expected?: Expectation;
  /** Its class against the baseline (a case that fails, with --baseline). */
  class?: FindingClass;
}

/** What a replay did, in the words of a record. */
export function verdictOf(outcome: Exclude<Outcome, 'invalid'>): ReplayVerdict {
  return outcome === 'reproduces' ? 'fails' : outcome === 'diverged' ? 'diverges' : 'passes';
}

/** The QEMU build for the QEMU cases: resolved once, at the first one (or at once for `--qemu`). */
type QemuSource = () => Promise<QemuBinaries>;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay saved fuzz cases: exit 1 if a failure reproduces, 0 if none does, 2 if a case is invalid, 3 if a case diverged (--expect: 1 if a case does not do what it records for this version, 4 if it has no record for it)',
  usage: 'crashcow replay [--expect] [--qemu DIR] [--baseline builtin|qemu:DIR] [--fail-on regression|any] CASE.json...',
  async run(argv) {
    const args = parseArgs(argv, [{ name: 'expect', takesValue: false }, qemuFlagSpec(), ...baselineFlagSpecs()]);
    if (args.positionals.length === 0) throw new UsageError('give at least one case file');
    if (args.flags.has('expect') && (args.flags.has('baseline') || args.flags.has('fail-on'))) throw new UsageError('--expect judges cases against their records; --baseline and --fail-on class failures against another engine: give one or the other');
    const failOn = failOnOf(args);
    const baseline = await resolveBaselineOrReport('replay', args, null);
    if (baseline === null) return 2;
    let resolved: Promise<QemuBinaries | null> | undefined;
    const qemuOnce = (): Promise<QemuBinaries | null> => (resolved ??= resolveQemuOrReport('replay', qemuFlagValue(args)));
    if (qemuFlagValue(args) !== undefined && (await qemuOnce()) === null) return 2;
    const qemu: QemuSource = async () => {
      const q = await qemuOnce();
      if (q === null) throw new QemuUnusable();
      return q;
    };
    const replayed: Replayed[] = [];
    try {
      for (const path of args.positionals) replayed.push(await replayOne(path, qemu, baseline));
    } catch (err) {
      if (!(err instanceof QemuUnusable) && !isSetupError(err)) throw err;
      if (isSetupError(err)) process.stderr.write(`crashcow replay: ${err.message}\n`);
      return 2;
    }
    if (replayed.some((r) => r.outcome === 'invalid')) return 2;
    if (args.flags.has('expect')) return reportExpectations(replayed);
    if (baseline) reportClasses(replayed, baseline);
    if (replayed.some((r) => r.outcome === 'diverged')) return EXIT_DIVERGED;
    return failsOn(failOn, replayed.filter((r) => r.outcome === 'reproduces').map((r) => r.class)) ? 1 : 0;
  },
};

/** QEMU could not be resolved; the reason is already printed. */
class QemuUnusable extends Error {}

/**
 * `--expect`: one line per case that does otherwise than its record for the version it ran on,
 * one per case without a record for it, and a count; exit 1, else 4, else 0 (module comment).
 */
function reportExpectations(replayed: readonly Replayed[]): number {
  let differ = 0;
  let unknown = 0;
  for (const r of replayed) {
    const did = verdictOf(r.outcome as Exclude<Outcome, 'invalid'>);
    if (r.expected === undefined) {
      unknown++;
      process.stdout.write(`${r.path}: UNKNOWN: no record for version ${r.versionKey}; it ${did === 'diverges' ? 'diverged' : did} (crashcow corpus --record records it)\n`);
    } else if (!asRecorded(r.expected, did)) {
      differ++;
      process.stdout.write(`${r.path}: NOT AS RECORDED: expected to ${infinitive(r.expected.verdict)}, it ${did === 'diverges' ? 'diverged' : did} (version ${r.versionKey})\n`);
    }
  }
  const unknownPart = unknown > 0 ? `, ${unknown} unknown (no record for the version)` : '';
  process.stdout.write(`${replayed.length} case(s): ${replayed.length - differ - unknown} as recorded, ${differ} not${unknownPart}\n`);
  return differ > 0 ? 1 : unknown > 0 ? EXIT_UNKNOWN_VERSION : 0;
}

/** One line: how many of the failing cases fall in each class against the baseline. */
function reportClasses(replayed: readonly Replayed[], b: Baseline): void {
  const failing = replayed.filter((r) => r.outcome === 'reproduces');
  const n = countClasses(failing.map((r) => r.class));
  process.stdout.write(`${failing.length} failing case(s) against the baseline ${b.spec} (${b.version}): ${n.regression} regression, ${n['pre-existing']} pre-existing, ${n.diverged} diverged\n`);
}

function infinitive(v: ReplayVerdict): string {
  return v === 'fails' ? 'fail' : v === 'passes' ? 'pass' : 'diverge';
}

async function replayOne(path: string, qemu: QemuSource, baseline: Baseline | undefined): Promise<Replayed> {
  let c: FuzzCase;
  try {
    c = readCase(path);
    for (const m of c.engine.mutants) if (!isMutantName(m)) throw new UsageError(`${path}: unknown mutant "${m}"`);
    if (baseline && c.engine.name !== baseline.engine) throw new UsageError(`${path}: a ${c.engine.name} case cannot be classed against --baseline ${baseline.spec} (a ${baseline.engine} baseline)`);
  } catch (err) {
    if (!isCaseReadError(err) && !isUsageError(err)) throw err;
    process.stderr.write(`crashcow replay: ${(err as Error).message}\n`);
    return { path, outcome: 'invalid' };
  }
  try {
    const target = await makeTarget(c.engine.name, c.engine.mutants as MutantName[], c.engine.name === 'qemu' ? await qemu() : undefined);
    const versionKey = versionKeyOf(target.engineVersion);
    const expected = expectationFor(c, versionKey);
    try {
      process.stderr.write(`${path}: ${c.engine.name}${c.engine.mutants.length > 0 ? ` (mutants: ${c.engine.mutants.join(', ')})` : ''}, ${describeImageOptions(c.image)}, ${c.operations.length} operations${c.crash ? `, crash state ${c.crash.stateId}` : ''}\n`);
      if (target.engineVersion !== c.engine.version) process.stderr.write(`crashcow replay: ${path}: recorded with ${c.engine.version}, replaying with ${target.engineVersion}\n`);
      const r = await replayCase(c, target, path);
      const recorded = `${c.violation.property} [${c.violation.rules.join(', ')}]`;
      if (r.reproduced) {
        const v = r.violation!;
        process.stdout.write(`${path}: reproduces ${v.property} [${v.rules.join(', ')}]: ${v.summary} (${v.stage})\n`);
        if (!baseline) return { path, outcome: 'reproduces', versionKey, expected };
        const k = await classifyCase(c, baseline, path, target.qemuBinaries);
        process.stdout.write(`${path}: ${k.class}: ${k.detail} (baseline ${baseline.spec}: ${baseline.version})\n`);
        return { path, outcome: 'reproduces', versionKey, expected, class: k.class };
      }
      if (r.diverged !== undefined) {
        process.stdout.write(`${path}: diverged: the engine wrote something else than the case records, so its crash state ${c.crash?.stateId ?? ''} does not exist in this replay (${r.diverged}); ${recorded} is neither reproduced nor refuted\n`);
        return { path, outcome: 'diverged', versionKey, expected };
      }
      const other = r.violation ? `; it broke ${r.violation.property} [${r.violation.rules.join(', ')}] instead: ${r.violation.summary}` : '';
      process.stdout.write(`${path}: passes: ${recorded} no longer fails${other}\n`);
      return { path, outcome: 'passes', versionKey, expected };
    } finally {
      await target.dispose();
    }
  } catch (err) {
    if (isSetupError(err) || err instanceof QemuUnusable) throw err;
    if (!isFormatError(err) && !isInvalidCaseError(err)) throw err;
    process.stderr.write(`crashcow replay: ${path}: invalid case: ${(err as Error).message}\n`);
    return { path, outcome: 'invalid' };
  }
}

function isUsageError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'USAGE_ERROR';
}
