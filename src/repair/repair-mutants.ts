/**
 * Repair mutants: deliberately broken variants behind named switches, so tests can prove that the
 * crash harness catches a repair that breaks its declared write order (a canary), and that the
 * checker catches a repair that fixes refcounts the way QEMU's fixed bug did (MUT-16), and that
 * the damage campaign (P7) catches a repair that trusts an entry past the end of the file.
 */
import type { WritePlan } from './write-plan.js';

export const repairMutants = {
  /** All epochs become one, last epoch's writes first: the switch may land before what it points at. */
  oneEpoch: 'repair-one-epoch',
  /**
   * MUT-16 (QEMU f307b255): a referenced cluster with refcount 0 and no refcount block is "raised in
   * place" instead of forcing a rebuild; with no block to hold the raise, it stays at refcount 0.
   * The switch is read in refcount-edits.ts.
   */
  naiveIncrement: 'repair-naive-increment',
  /**
   * An L2 entry whose data cluster lies past the end of the file is kept as it is instead of being
   * dropped (AL-4): the repaired image still references bytes the file does not hold. The switch
   * is read in l2-entry-plan.ts.
   */
  trustsPastEof: 'repair-trusts-past-eof',
} as const;

/** The plan as the mutants in `mutants` would write it (the plan itself when none applies). */
export function mutatedPlan(plan: WritePlan, mutants: readonly string[]): WritePlan {
  if (!mutants.includes(repairMutants.oneEpoch)) return plan;
  const epochs = plan.epochs.filter((e) => e.writes.length > 0);
  const writes = epochs.reverse().flatMap((e) => e.writes);
  return { epochs: [{ name: 'everything at once (mutant)', invariant: 'none: this mutant breaks the order on purpose', writes }] };
}
