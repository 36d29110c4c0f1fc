import { isFormatError } from '../../../spec/format/format-error.js';
import { isEngineError } from '../../engine/engine-error.js';
import type { RecoveryRun } from './fuzz-target.js';

/**
 * What an engine's (or repair's) failure says, for a finding: the message and the rule it names
 * (a FormatError's clause id, an EngineError's errno as ENGINE-<errno>, else ENGINE-THROW: the
 * engine crashed, which is an engine bug, reported rather than crashing the fuzzer).
 */
export function failureOf(err: unknown): NonNullable<RecoveryRun['failure']> {
  if (isFormatError(err)) return { message: err.message, rule: err.rule };
  if (isEngineError(err)) return { message: err.message, rule: `ENGINE-${err.errno}` };
  const e = err as Error;
  return { message: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, rule: 'ENGINE-THROW' };
}
