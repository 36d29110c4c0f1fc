/**
 * `crashcow explain [--output human|json] CASE.json`: tells a saved case in a qcow2 maintainer's
 * terms (src/explain): the operations, every write of the crash epoch with its operation, what it
 * changed and its fate, the recovery's writes, and the verdict with its witness tied to the writes.
 * Exit 0 when the case is explained and its failure reproduces, 1 when it is explained but the
 * recorded failure no longer reproduces, 2 for an invalid case or a usage mistake, 3 when the
 * replay diverged (the engine wrote something else than the case records: nothing to explain).
 * `--html OUT.html` also writes the explanation as a self-contained page (src/report) with the
 * crash state's host clusters by role; `--state-out FILE` writes the crash state's image (for a
 * damage case, the damaged image the repairs start from).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { writeFileSync } from 'node:fs';
import type { ByteSource } from '../../../spec/format/byte-source.js';
import explainSchema from '../../../spec/schemas/explain.schema.json' with { type: 'json' };
import { isFormatError } from '../../../spec/format/format-error.js';
import { isMutantName, type MutantName } from '../../engine/mutants.js';
import { isCaseReadError, isInvalidCaseError, readCase, type FuzzCase } from '../../fuzz/case/fuzz-case.js';
import { makeTarget } from '../../fuzz/target/make-target.js';
import { explainCase } from '../../explain/explain-case.js';
import { formatExplanation, printable } from '../../explain/format-explanation.js';
import { explainPage } from '../../report/explain-page.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import type { Command } from '../command.js';
import { parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { checkHtmlPath, writeHtml } from './html-out.js';
import { EXIT_DIVERGED } from './replay.js';

const EXIT_INVALID = 2;
/** A page or image that cannot be written: the explanation itself is not printed. */
const EXIT_WORK_FAILED = 1;

export const explainCommand: Command = {
  name: 'explain',
  summary: 'tell a saved case in qcow2 terms: operations, the crash epoch\'s writes and their fates, the recovery\'s writes, the witness (exit 0 reproduces, 1 no longer, 2 invalid, 3 diverged)',
  usage: 'crashcow explain [--output human|json] [--html OUT.html] [--state-out IMAGE] CASE.json',
  async run(argv) {
    const args = parseArgs(argv, [
      { name: 'output', takesValue: true },
      { name: 'html', takesValue: true },
      { name: 'state-out', takesValue: true },
    ]);
    const output = args.flags.get('output')?.[0] ?? 'human';
    if (output !== 'human' && output !== 'json') throw new UsageError(`--output must be human or json, not "${printable(output)}"`);
    const htmlPath = args.flags.get('html')?.[0];
    if (htmlPath !== undefined) checkHtmlPath(htmlPath);
    const statePath = args.flags.get('state-out')?.[0];
    if (statePath === '') throw new UsageError('--state-out needs a file name');
    if (args.positionals.length !== 1) throw new UsageError('give exactly one case file');
    const path = args.positionals[0];
    let c: FuzzCase;
    try {
      c = readCase(path);
      for (const m of c.engine.mutants) if (!isMutantName(m)) throw new UsageError(`${path}: /engine/mutants: unknown mutant "${m}"`);
    } catch (err) {
      if (!isCaseReadError(err) && !isUsage(err)) throw err;
      process.stderr.write(`crashcow explain: ${printable((err as Error).message)}\n`);
      return EXIT_INVALID;
    }
    const target = await makeTarget(c.engine.name, c.engine.mutants as MutantName[]);
    try {
      if (target.engineVersion !== c.engine.version) process.stderr.write(`crashcow explain: ${printable(path)}: recorded with ${printable(c.engine.version)}, replaying with ${target.engineVersion}\n`);
      const r = await explainCase(c, target, path);
      if (r.kind === 'diverged') {
        process.stdout.write(`${printable(path)}: diverged: the engine wrote something else than the case records, so its crash state does not exist in this replay (${printable(r.reason)}); nothing to explain\n`);
        return EXIT_DIVERGED;
      }
      const state = r.crashState === null ? null : toByteSource(r.crashState);
      if (htmlPath !== undefined && !writeHtml('explain', htmlPath, explainPage(r.explanation, state))) return EXIT_WORK_FAILED;
      if (statePath !== undefined && !writeState(statePath, state)) return EXIT_WORK_FAILED;
      if (output === 'json') {
        assertExplanation(r.explanation);
        process.stdout.write(JSON.stringify(r.explanation, null, 2) + '\n');
      } else process.stdout.write(formatExplanation(r.explanation));
      return r.explanation.verdict.reproduces ? 0 : 1;
    } catch (err) {
      if (!isFormatError(err) && !isInvalidCaseError(err)) throw err;
      process.stderr.write(`crashcow explain: ${printable(path)}: invalid case: ${printable((err as Error).message)}\n`);
      return EXIT_INVALID;
    } finally {
      await target.dispose();
    }
  },
};

let validator: ValidateFunction | undefined;

/** The JSON output is checked against its schema before it leaves (a mismatch is our bug). */
function assertExplanation(value: unknown): void {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(explainSchema);
  if (!validator(value)) throw new Error(`explain output breaks spec/schemas/explain.schema.json: ${JSON.stringify(validator.errors?.slice(0, 3))}`);
}

/** Writes the crash state's image (a note on stderr when the case has none); false (with the reason on stderr) when it cannot be written. */
function writeState(path: string, state: ByteSource | null): boolean {
  if (state === null) {
    process.stderr.write(`crashcow explain: --state-out: the case has no crash state (the run broke before any crash); ${printable(path)} not written\n`);
    return true;
  }
  try {
    writeFileSync(path, state.read(0, state.sizeBytes));
  } catch (err) {
    process.stderr.write(`crashcow explain: cannot write ${printable(path)}: ${printable((err as Error).message)}\n`);
    return false;
  }
  return true;
}

function isUsage(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'USAGE_ERROR';
}
