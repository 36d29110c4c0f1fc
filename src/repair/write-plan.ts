/**
 * WritePlan: everything a repair writes, in epochs. Each epoch's writes may land in any order and
 * tear at sector granularity; a flush ends the epoch, so the next epoch starts only once every
 * write before it is durable. The planners decide the epochs and state the invariant each one
 * keeps; `applyWritePlan` only executes them.
 */
import type { BlockDevice } from '../storage/block-device.js';

export interface WriteStep {
  offsetBytes: number;
  data: Uint8Array;
}

export interface WriteEpoch {
  /** Short name, e.g. "new structures" or "header switch". */
  name: string;
  /** What holds in every crash state while this epoch is in flight (the reason for its place). */
  invariant: string;
  writes: WriteStep[];
}

export interface WritePlan {
  epochs: WriteEpoch[];
}

/** An epoch with no writes yet. */
export function writeEpoch(name: string, invariant: string): WriteEpoch {
  return { name, invariant, writes: [] };
}

/** True when the plan writes nothing. */
export function isEmptyPlan(plan: WritePlan): boolean {
  return plan.epochs.every((e) => e.writes.length === 0);
}

/**
 * Executes the plan: each non-empty epoch's writes, then one flush. Throws what the device throws
 * (a failed write leaves a crash state the plan's invariants cover).
 */
export function applyWritePlan(device: BlockDevice, plan: WritePlan): void {
  for (const epoch of plan.epochs) {
    if (epoch.writes.length === 0) continue;
    for (const w of epoch.writes) device.write(w.offsetBytes, w.data);
    device.flush();
  }
}
