/**
 * FaultMode: which storage faults a campaign injects (`crashcow fuzz --faults`). Each run injects
 * one kind (Jepsen's nemesis): `power` (a power loss: writes since the last flush dropped,
 * reordered or torn; the crash properties P1-P5), `eio` (an I/O error inside an operation, P6) or
 * `damage` (damaged media found after the run: bit flips, zeroed sectors, lost and misdirected
 * writes; repair judged by P7). `all` draws one of the kinds this build has for every run.
 * Plain data: it crosses to worker threads and into case files.
 */

/** Every fault kind crashcow knows, in the order `all` draws among them. */
export const FAULT_KINDS = ['power', 'eio', 'damage'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The value of `--faults`: one kind, or all the kinds this build has. */
export type FaultMode = FaultKind | 'all';

/** The kinds this build can inject (the others are known but not built yet). */
export const AVAILABLE_FAULT_KINDS: readonly FaultKind[] = ['power', 'damage'];

/** The default: today's power-loss campaign. */
export const DEFAULT_FAULT_MODE: FaultMode = 'power';

/** True when `value` names a fault mode (available in this build or not). */
export function isFaultMode(value: string): value is FaultMode {
  return value === 'all' || (FAULT_KINDS as readonly string[]).includes(value);
}

/** True when this build can inject `kind`. */
export function isAvailableFaultKind(kind: FaultKind): boolean {
  return AVAILABLE_FAULT_KINDS.includes(kind);
}

/** The kinds the runs of a campaign in `mode` draw among (one for a single kind). */
export function faultKindsOf(mode: FaultMode): FaultKind[] {
  return mode === 'all' ? [...AVAILABLE_FAULT_KINDS] : [mode];
}
