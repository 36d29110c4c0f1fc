/**
 * RepairPlan: what a repair will write and how: in place (refcounts and flags edited where they
 * are) or by rebuilding (new tables and refcount structures, then one header switch). `features`
 * points at the bytes holding the incompatible features in the plan's last write, so the bits can
 * be kept when the verification finds the result not clean.
 */
import type { WritePlan, WriteStep } from './write-plan.js';

export type RepairStrategy = 'none' | 'in-place' | 'rebuild';

export interface RepairPlan {
  strategy: RepairStrategy;
  writes: WritePlan;
  /** The write holding the incompatible features, and where in it they start; null if none is written. */
  features: { step: WriteStep; offsetInStep: number } | null;
}

/** Puts `features` into the plan's feature bytes (no-op when the plan writes none). */
export function setPlannedFeatures(plan: RepairPlan, features: bigint): void {
  if (plan.features === null) return;
  const { step, offsetInStep } = plan.features;
  new DataView(step.data.buffer, step.data.byteOffset, step.data.byteLength).setBigUint64(offsetInStep, features);
}
