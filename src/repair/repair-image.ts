/**
 * repairImage: crashcow's repair (`crashcow check -r leaks|all`), and the hook an engine calls
 * when it opens a dirty image. Takes a BlockDevice holding a qcow2 image; gives a RepairResult
 * listing every change. It first plans everything from a read-only look at the image, checks the
 * planned result on a copy-on-write overlay with the judge its caller gives (crashcow's checker),
 * then writes the plan in its declared order (see in-place-plan.ts and rebuild-plan.ts).
 *
 * It must never change what a guest reads from a correctly referenced cluster, never write on top
 * of anything the old image references before the switch to the new structures is durable, and
 * never clear the dirty or corrupt bit of an image that does not then check clean. It imports
 * nothing from the engine or the checker: the judge shares no code with the judged.
 */
import type { Finding } from '../../spec/invariants/finding.js';
import type { BlockDevice } from '../storage/block-device.js';
import { CowDevice } from '../storage/cow-device.js';
import { sameBytes } from '../storage/same-bytes.js';
import { toByteSource } from '../storage/to-byte-source.js';
import { planFullRepair } from './full-repair-plan.js';
import { withoutDirtyAndCorrupt } from './repaired-features.js';
import { planLeakRepair } from './leak-plan.js';
import type { RepairMode } from './repair-mode.js';
import { mutatedPlan } from './repair-mutants.js';
import { setPlannedFeatures, type RepairStrategy } from './repair-plan.js';
import type { Judgement, RepairJudge } from './repair-judge.js';
import { repairRecord, type RepairRecord } from './repair-record.js';
import { applyWritePlan, isEmptyPlan, type WritePlan } from './write-plan.js';

export interface RepairResult {
  mode: RepairMode;
  /** How the repair went about it; 'refused' when it changed nothing because it could not. */
  strategy: RepairStrategy | 'refused';
  /** Every change made (or the refusal), in the order decided. */
  records: RepairRecord[];
  /** Check errors that stopped the repair (empty unless refused). */
  refusal: Finding[];
  /** Corruptions and leaks the check counted before the repair and not after (null: not counted, see `counts`). */
  corruptionsFixed: number | null;
  leaksFixed: number | null;
  /** The dirty and corrupt bits were cleared. */
  bitsCleared: boolean;
  /** The judge's verdict on the planned result, before it was written. */
  verified: Pick<Judgement, 'corruptions' | 'leaks' | 'check-errors'>;
}

/**
 * Repairs the image on `device` in place, judging with `judge` (crashcow's checkImage).
 * `opts.mutants` may name repair mutants (tests only); `opts.counts: false` skips the check before
 * a full repair, which only counts what was fixed (a full repair plans from its own reading;
 * callers that print no counts save a whole check).
 * Throws only what the device throws.
 */
export function repairImage(device: BlockDevice, mode: RepairMode, judge: RepairJudge, opts: { mutants?: readonly string[]; counts?: boolean } = {}): RepairResult {
  const before = mode === 'leaks' || opts.counts !== false ? judge(toByteSource(device)) : null;
  const planned = mode === 'all' ? planFullRepair(device, opts.mutants) : planLeakRepair(device, before!);
  if (!planned.ok) {
    const records = planned.findings.map((f) => repairRecord('refused', f.rule, f.where, `nothing changed: ${f.detail}`));
    const now = before ?? judge(toByteSource(device));
    return { mode, strategy: 'refused', records, refusal: planned.findings, corruptionsFixed: 0, leaksFixed: 0, bitsCleared: false, verified: { corruptions: now.corruptions, leaks: now.leaks, 'check-errors': now['check-errors'] } };
  }
  const { plan, ctx } = planned;
  const originalFeatures = ctx.image.header.incompatibleFeatures;
  // An empty plan leaves the image as it is: the check before is the check after.
  let after = isEmptyPlan(plan.writes) && before ? before : checkPlanned(device, plan.writes, judge);
  let bitsCleared = plan.features !== null && withoutDirtyAndCorrupt(originalFeatures) !== originalFeatures;
  if (plan.features !== null && (after.corruptions > 0 || after['check-errors'] > 0)) {
    setPlannedFeatures(plan, originalFeatures);
    bitsCleared = false;
    after = checkPlanned(device, plan.writes, judge);
  }
  dropUnchangedWrites(device, plan.writes);
  applyWritePlan(device, mutatedPlan(plan.writes, opts.mutants ?? []));
  if (bitsCleared) ctx.records.push(repairRecord('header-bits-cleared', 'FEAT-1', 'header.incompatible_features @0x48', 'dirty and corrupt bits cleared: the repaired image checks clean'));
  return {
    mode,
    strategy: plan.writes.epochs.some((e) => e.writes.length > 0) ? plan.strategy : 'none',
    records: ctx.records,
    refusal: [],
    corruptionsFixed: before ? Math.max(0, before.corruptions - after.corruptions) : null,
    leaksFixed: before ? Math.max(0, before.leaks - after.leaks) : null,
    bitsCleared,
    verified: { corruptions: after.corruptions, leaks: after.leaks, 'check-errors': after['check-errors'] },
  };
}

/** The judge's verdict on the image as the plan would leave it (on an overlay; the device is untouched). */
function checkPlanned(device: BlockDevice, writes: WritePlan, judge: RepairJudge): Judgement {
  const overlay = new CowDevice(device);
  applyWritePlan(overlay, writes);
  return judge(toByteSource(overlay));
}

/** Removes writes inside the file that would store the bytes already there (a clean image stays byte-identical). */
function dropUnchangedWrites(device: BlockDevice, writes: WritePlan): void {
  for (const epoch of writes.epochs) {
    epoch.writes = epoch.writes.filter((w) => {
      if (w.offsetBytes + w.data.length > device.sizeBytes) return true;
      return !sameBytes(device.read(w.offsetBytes, w.data.length), w.data);
    });
  }
}
