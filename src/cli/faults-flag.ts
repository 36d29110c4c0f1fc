/**
 * `--faults power|eio|damage|all` of `crashcow fuzz`: the fault kinds a campaign injects
 * (src/fuzz/faults/fault-mode.ts). One place reads the flag, so a kind that lands later only
 * joins AVAILABLE_FAULT_KINDS. A kind this build does not have yet is a usage error (exit 2).
 */
import { DEFAULT_FAULT_MODE, FAULT_KINDS, isAvailableFaultKind, isFaultMode, type FaultMode } from '../fuzz/faults/fault-mode.js';
import { flagValue, type FlagSpec, type ParsedArgs } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** The flag's spec, for parseArgs. */
export function faultsFlagSpec(): FlagSpec {
  return { name: 'faults', takesValue: true };
}

/**
 * The fault mode `--faults` asks for (default `power`).
 * @throws UsageError for an unknown value, or a kind this build cannot inject yet
 */
export function faultModeOf(args: ParsedArgs): FaultMode {
  const raw = flagValue(args, 'faults');
  if (raw === undefined) return DEFAULT_FAULT_MODE;
  if (!isFaultMode(raw)) throw new UsageError(`--faults must be one of ${[...FAULT_KINDS, 'all'].join(', ')}; got "${raw}"`);
  if (raw !== 'all' && !isAvailableFaultKind(raw)) throw new UsageError(`--faults ${raw} is not available in this build`);
  return raw;
}
