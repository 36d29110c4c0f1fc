/**
 * `--baseline builtin|qemu:DIR` and `--fail-on regression|any`, shared by `crashcow fuzz` and
 * `crashcow replay`: the engine failures are replayed on to class them (regression, pre-existing,
 * diverged; src/fuzz/baseline), and which failures set exit 1. A baseline of an unknown form, of
 * another engine than the one judged, or `--fail-on regression` without a baseline is a usage
 * error; a `qemu:DIR` without usable qemu-img and qemu-io is reported naming the path (exit 2).
 */
import { resolveQemuBinaries } from '../engine/qemu/qemu-binaries.js';
import { isQemuMissingError } from '../engine/qemu/qemu-missing-error.js';
import { builtinBaseline, qemuBaseline, type Baseline, type FindingClass } from '../fuzz/baseline/baseline.js';
import type { EngineName } from '../fuzz/target/make-target.js';
import { flagChoice, flagValue, type FlagSpec, type ParsedArgs } from './parse-args.js';
import { UsageError } from './usage-error.js';

export type FailOn = 'any' | 'regression';

/** The two flags' specs. */
export function baselineFlagSpecs(): FlagSpec[] {
  return [
    { name: 'baseline', takesValue: true },
    { name: 'fail-on', takesValue: true },
  ];
}

/** `--fail-on` (default any). @throws UsageError for `regression` without `--baseline` */
export function failOnOf(args: ParsedArgs): FailOn {
  const failOn = flagChoice(args, 'fail-on', ['any', 'regression'] as const, 'any');
  if (failOn === 'regression' && flagValue(args, 'baseline') === undefined) throw new UsageError('--fail-on regression needs --baseline builtin|qemu:DIR (without a baseline no finding has a class)');
  return failOn;
}

/**
 * The `--baseline` of `args` (undefined when absent), or null after printing "crashcow COMMAND:
 * --baseline qemu:DIR: ..." when its QEMU cannot be used (the caller exits 2). `engine` is the
 * engine judged (null when each case names its own, as in `crashcow replay`).
 * @throws UsageError for an unknown form, an empty `qemu:` folder, or a baseline of another engine
 */
export async function resolveBaselineOrReport(command: string, args: ParsedArgs, engine: EngineName | null): Promise<Baseline | undefined | null> {
  const spec = flagValue(args, 'baseline');
  if (spec === undefined) return undefined;
  const form = spec === 'builtin' ? 'builtin' : spec.startsWith('qemu:') ? 'qemu' : null;
  if (form === null) throw new UsageError(`--baseline must be "builtin" or "qemu:DIR" (the folder holding the baseline's qemu-img and qemu-io), got "${spec}"`);
  if (engine !== null && form !== engine) throw new UsageError(`--baseline ${spec} is a ${form} baseline, but the engine judged is ${engine}: give --baseline ${engine === 'builtin' ? 'builtin' : 'qemu:DIR'}`);
  if (form === 'builtin') return builtinBaseline();
  const dir = spec.slice('qemu:'.length);
  if (dir === '') throw new UsageError('--baseline qemu:DIR needs the folder holding qemu-img and qemu-io after "qemu:", e.g. qemu:/usr/bin');
  try {
    return qemuBaseline(spec, await resolveQemuBinaries(dir));
  } catch (err) {
    if (!isQemuMissingError(err)) throw err;
    process.stderr.write(`crashcow ${command}: --baseline ${spec}: ${err.message}\n`);
    return null;
  }
}

/**
 * Whether failures with these classes set exit 1: any failure with `any`, only a regression with
 * `regression`.
 */
export function failsOn(failOn: FailOn, classes: ReadonlyArray<FindingClass | undefined>): boolean {
  return failOn === 'any' ? classes.length > 0 : classes.includes('regression');
}
