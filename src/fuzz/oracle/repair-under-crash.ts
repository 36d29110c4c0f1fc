/**
 * P5, repair under crash: a recovery's own writes are recorded; a crash inside them (states from
 * the same storage generator, seeded, a few per recovery) followed by the same recovery again must
 * still satisfy P3 (the result checks clean as that recovery promises) and P4 (the guest data the
 * original crash point allows). Violations name P5 and carry the rules of the P3 or P4 break.
 */
import { CrashPlan } from '../../storage/crash-states/crash-plan.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { sameBytes } from '../../storage/same-bytes.js';
import { toByteSource } from '../../storage/to-byte-source.js';
import { crashClauses, repairUnderCrashVerdict, type CrashClause } from '../../../spec/semantics/crash-properties.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import type { DurabilityExpectation } from '../model/durability-oracle.js';
import type { VerdictMemo } from '../model/judge-guest-view.js';
import { wroteNothing, type RecoveryRun } from '../target/fuzz-target.js';
import type { Violation } from '../violation.js';
import { dirtyBitOf, summarizeCheck } from './check-summary.js';
import { judgeRecovered, type CrashJudgeContext } from './judge-crash-state.js';
import { judgeData } from './judge-data.js';

/** Crash states inside one recovery, at most. */
export const P5_STATES_PER_RECOVERY = 3;

interface RecoveryUnderTest {
  how: string;
  /** True when the recovery must leave a clean image (a repair), not just an uncorrupted one. */
  full: boolean;
  run: RecoveryRun;
  again: (state: BlockDevice) => Promise<RecoveryRun>;
}

/**
 * P5 for one recovery of `state`; null when it holds (or the recovery wrote nothing). A crash
 * state inside the recovery that holds the very bytes of `state` (nothing of it landed) is passed
 * over: recovering it again would repeat the recovery already judged (a recovery depends on the
 * bytes alone). With
 * `memoFor`, P4 skips the guest sectors already judged on this crash point whose host sectors
 * neither the interrupted recovery nor the second one wrote (see stateVerdictMemo).
 */
export async function judgeRepairUnderCrash(ctx: CrashJudgeContext, state: BlockDevice, r: RecoveryUnderTest, exp: DurabilityExpectation, memoFor?: (writes: readonly StorageOp[]) => VerdictMemo): Promise<Violation | null> {
  const ops = r.run.ops;
  if (wroteNothing(ops)) return null;
  const plan = new CrashPlan(state, ops, { maxStates: P5_STATES_PER_RECOVERY, seed: 0 });
  for (const inner of plan.states()) {
    if (inner.crashPoint === ops.length && inner.sizeCode === 0 && inner.codes.every((c) => c === 0)) continue;
    // Nothing of the recovery landed: recovering again is the recovery already judged.
    if (holdsSameBytes(inner.view(), state, ops.slice(0, inner.crashPoint))) continue;
    // The verdict on the second recovery needs only whether the state it started from was dirty.
    const before = { dirty: dirtyBitOf(inner.source()) };
    const again = await r.again(inner.view());
    if (again.failure?.unsupported) continue;
    const stage = `crash ${inner.id} inside ${r.how}, then ${r.how} again`;
    const after = again.failure ? null : summarizeCheck(toByteSource(again.device));
    const v = judgeRecovered(before, again, after, r.how, r.full, ctx.lazyRefcounts, stage) ?? judgeData(toByteSource(again.device), ctx.backing, exp, ctx.contentSeed, stage, undefined, memoFor?.([...ops, ...again.ops]));
    const p5 = repairUnderCrashVerdict(v);
    if (p5.status === 'violated' && v) return { ...v, property: crashClauses[p5.clause as CrashClause], rules: [...p5.rules], summary: `${v.property} after a crash inside the recovery: ${v.summary}` };
  }
  return null;
}

/**
 * True when `state` holds the bytes of `base` everywhere: it has the same size and the same bytes
 * in every range that `ops` (the operations completed before its crash point) may have changed.
 */
export function holdsSameBytes(state: BlockDevice, base: BlockDevice, ops: readonly StorageOp[]): boolean {
  if (state.sizeBytes !== base.sizeBytes) return false;
  for (const op of ops) {
    if (op.kind === 'flush') continue;
    // A truncate below the size zeroes the tail, even when the file grows back.
    const first = Math.min(op.offsetBytes, base.sizeBytes);
    const end = op.kind === 'truncate' ? base.sizeBytes : Math.min(op.offsetBytes + op.lengthBytes, base.sizeBytes);
    for (let at = first; at < end; at += SAME_BYTES_CHUNK) {
      const length = Math.min(SAME_BYTES_CHUNK, end - at);
      if (!sameBytes(state.read(at, length), base.read(at, length))) return false;
    }
  }
  return true;
}

const SAME_BYTES_CHUNK = 64 * 1024;
