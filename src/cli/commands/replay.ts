/**
 * `crashcow replay [--expect] CASE.json...`: re-runs saved fuzz cases deterministically. Exit 1
 * when a case's failure reproduces (any, if several), 0 when none does any more, 2 when a case is
 * invalid (not JSON, against the schema, a malformed state id, or a crash state without a final
 * crash operation), 3 when a case diverged: the engine wrote something else than the case records,
 * so its crash state does not exist in this replay and gets no verdict (exit 2 wins over 3, and 3
 * over 1 and 0). With `--expect` (a CI job over corpus/), exit 0 when every case does what its
 * `expectation` records (`fails`: it reproduces; `passes`: it passes), 1 when any case does
 * otherwise. A diverged case does not reproduce its failure: as recorded when it records `passes`
 * (a fixed engine often writes differently), not as recorded when it records `fails`.
 */
import { isFormatError } from '../../../spec/format/format-error.js';
import { isMutantName, type MutantName } from '../../engine/mutants.js';
import { isCaseReadError, isInvalidCaseError, readCase, type FuzzCase } from '../../fuzz/case/fuzz-case.js';
import { replayCase } from '../../fuzz/case/replay-case.js';
import { describeImageOptions } from '../../fuzz/image-options.js';
import { makeTarget } from '../../fuzz/target/make-target.js';
import { isSetupError } from '../../fuzz/target/setup-error.js';
import type { Command } from '../command.js';
import { parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

type Outcome = 'reproduces' | 'passes' | 'diverged' | 'invalid';

/** The exit code of a replay in which a case diverged (see the module comment). */
const EXIT_DIVERGED = 3;

interface Replayed {
  path: string;
  outcome: Outcome;
  /** The case's recorded expectation (absent for an invalid case). */
  expectation?: FuzzCase['expectation'];
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay saved fuzz cases: exit 1 if a failure reproduces, 0 if none does, 2 if a case is invalid, 3 if a case diverged (--expect: 1 if a case does not do what it records)',
  usage: 'crashcow replay [--expect] CASE.json...',
  async run(argv) {
    const args = parseArgs(argv, [{ name: 'expect', takesValue: false }]);
    if (args.positionals.length === 0) throw new UsageError('give at least one case file');
    const replayed: Replayed[] = [];
    for (const path of args.positionals) replayed.push(await replayOne(path));
    if (replayed.some((r) => r.outcome === 'invalid')) return 2;
    if (args.flags.has('expect')) return reportExpectations(replayed);
    if (replayed.some((r) => r.outcome === 'diverged')) return EXIT_DIVERGED;
    return replayed.some((r) => r.outcome === 'reproduces') ? 1 : 0;
  },
};

/** `--expect`: one line per case that does otherwise than it records, and a count; exit 1 if there is one. */
function reportExpectations(replayed: readonly Replayed[]): number {
  const differ = replayed.filter((r) => (r.outcome === 'reproduces') !== (r.expectation === 'fails'));
  for (const r of differ) process.stdout.write(`${r.path}: NOT AS RECORDED: expected to ${r.expectation === 'fails' ? 'fail' : 'pass'}, it ${r.outcome === 'diverged' ? 'diverged' : r.outcome === 'reproduces' ? 'fails' : 'passes'}\n`);
  process.stdout.write(`${replayed.length} case(s): ${replayed.length - differ.length} as recorded, ${differ.length} not\n`);
  return differ.length > 0 ? 1 : 0;
}

async function replayOne(path: string): Promise<Replayed> {
  let c: FuzzCase;
  try {
    c = readCase(path);
    for (const m of c.engine.mutants) if (!isMutantName(m)) throw new UsageError(`${path}: unknown mutant "${m}"`);
  } catch (err) {
    if (!isCaseReadError(err) && !isUsageError(err)) throw err;
    process.stderr.write(`crashcow replay: ${(err as Error).message}\n`);
    return { path, outcome: 'invalid' };
  }
  try {
    const target = await makeTarget(c.engine.name, c.engine.mutants as MutantName[]);
    try {
      process.stderr.write(`${path}: ${c.engine.name}${c.engine.mutants.length > 0 ? ` (mutants: ${c.engine.mutants.join(', ')})` : ''}, ${describeImageOptions(c.image)}, ${c.operations.length} operations${c.crash ? `, crash state ${c.crash.stateId}` : ''}\n`);
      if (target.engineVersion !== c.engine.version) process.stderr.write(`crashcow replay: ${path}: recorded with ${c.engine.version}, replaying with ${target.engineVersion}\n`);
      const r = await replayCase(c, target, path);
      const recorded = `${c.violation.property} [${c.violation.rules.join(', ')}]`;
      if (r.reproduced) {
        const v = r.violation!;
        process.stdout.write(`${path}: reproduces ${v.property} [${v.rules.join(', ')}]: ${v.summary} (${v.stage})\n`);
        return { path, outcome: 'reproduces', expectation: c.expectation };
      }
      if (r.diverged !== undefined) {
        process.stdout.write(`${path}: diverged: the engine wrote something else than the case records, so its crash state ${c.crash?.stateId ?? ''} does not exist in this replay (${r.diverged}); ${recorded} is neither reproduced nor refuted\n`);
        return { path, outcome: 'diverged', expectation: c.expectation };
      }
      const other = r.violation ? `; it broke ${r.violation.property} [${r.violation.rules.join(', ')}] instead: ${r.violation.summary}` : '';
      process.stdout.write(`${path}: passes: ${recorded} no longer fails${other}\n`);
      return { path, outcome: 'passes', expectation: c.expectation };
    } finally {
      await target.dispose();
    }
  } catch (err) {
    if (isSetupError(err)) throw err;
    if (!isFormatError(err) && !isInvalidCaseError(err)) throw err;
    process.stderr.write(`crashcow replay: ${path}: invalid case: ${(err as Error).message}\n`);
    return { path, outcome: 'invalid' };
  }
}

function isUsageError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'USAGE_ERROR';
}
