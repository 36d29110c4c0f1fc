/**
 * `--faults power|eio|damage|all` of `crashcow fuzz`: the fault kinds a campaign injects
 * (src/fuzz/faults/fault-mode.ts). Anything else is a usage error (exit 2).
 */
import { DEFAULT_FAULT_MODE, FAULT_KINDS, isFaultMode, type FaultMode } from '../fuzz/faults/fault-mode.js';
import { flagValue, type FlagSpec, type ParsedArgs } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** The flag's spec, for parseArgs. */
export function faultsFlagSpec(): FlagSpec {
  return { name: 'faults', takesValue: true };
}

/**
 * The fault mode `--faults` asks for (default `power`).
 * @throws UsageError for an unknown value
 */
export function faultModeOf(args: ParsedArgs): FaultMode {
  const raw = flagValue(args, 'faults');
  if (raw === undefined) return DEFAULT_FAULT_MODE;
  if (!isFaultMode(raw)) throw new UsageError(`--faults must be one of ${[...FAULT_KINDS, 'all'].join(', ')}; got "${raw}"`);
  return raw;
}
