/**
 * FaultMode: which storage faults a campaign injects (`crashcow fuzz --faults`). Each run injects
 * one kind (Jepsen's nemesis): `power` (a power loss: writes since the last flush dropped,
 * reordered or torn; the crash properties P1-P5), `eio` (an I/O error inside an operation, P6,
 * then a power loss judged as under `power`) or `damage` (damaged media found after the run: bit
 * flips, zeroed sectors, lost and misdirected writes; repair judged by P7). `all` draws one of
 * the kinds for every run. Plain data: it crosses to worker threads and into case files.
 */

/** Every fault kind crashcow injects, in the order `all` draws among them. */
export const FAULT_KINDS = ['power', 'eio', 'damage'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The value of `--faults`: one kind, or all of them. */
export type FaultMode = FaultKind | 'all';

/** The default: the power-loss campaign. */
export const DEFAULT_FAULT_MODE: FaultMode = 'power';

/** True when `value` names a fault mode. */
export function isFaultMode(value: string): value is FaultMode {
  return value === 'all' || (FAULT_KINDS as readonly string[]).includes(value);
}

/** The kinds the runs of a campaign in `mode` draw among (one for a single kind). */
export function faultKindsOf(mode: FaultMode): FaultKind[] {
  return mode === 'all' ? [...FAULT_KINDS] : [mode];
}
