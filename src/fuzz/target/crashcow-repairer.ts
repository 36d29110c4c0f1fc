/**
 * crashcow's own repair (`crashcow check -r all`) as a Repairer, and as the repair hook the
 * built-in engine runs when it opens a dirty image (FEAT-1, LAZY-5). Recorded, so P5 can crash
 * inside it.
 */
import { checkImage } from '../../check/check-image.js';
import { repairImage, type RepairResult } from '../../repair/repair-image.js';
import { exitCodeOf } from '../../check/check-report.js';
import type { RepairOutcome } from '../../../spec/semantics/damage-repair-properties.js';
import type { RepairHook } from '../../engine/engine.js';
import type { BlockDevice } from '../../storage/block-device.js';
import { CowDevice } from '../../storage/cow-device.js';
import { RecordingDevice } from '../../storage/recording-device.js';
import { failureOf } from './failure-of.js';
import type { RecoveryRun, Repairer } from './fuzz-target.js';

/**
 * crashcow's `check -r all` (with the repair's own mutants, e.g. repair-naive-increment);
 * `dirtyP5Stride` as Repairer says, for a target whose dirty open runs this repair too.
 */
export function crashcowRepairer(mutants: readonly string[] = [], dirtyP5Stride?: number): Repairer {
  return {
    name: 'crashcow check -r all',
    dirtyP5Stride,
    sameAsHook: { hook: crashcowRepairHook, mutants },
    async repair(state: BlockDevice): Promise<RecoveryRun> {
      const rec = new RecordingDevice(new CowDevice(state));
      try {
        const result = repairImage(rec, 'all', checkImage, { mutants, counts: false });
        return { device: rec.inner, ops: rec.ops, outcome: outcomeOf(result) };
      } catch (err) {
        const failure = failureOf(err);
        return { device: rec.inner, ops: rec.ops, failure, outcome: { exitCode: null, message: failure.message } };
      }
    },
  };
}

/**
 * What `crashcow check -r all` would exit with after this repair, and say: the refusal's reasons
 * (exit 1), else the codes of the check the repair ran on its planned result (CHK-4).
 */
export function outcomeOf(r: RepairResult): RepairOutcome {
  if (r.strategy === 'refused') return { exitCode: 1, message: r.records.map((x) => `${x.rule} ${x.where}: ${x.detail}`).join('; ') };
  const v = r.verified;
  const exitCode = exitCodeOf(v);
  const message = exitCode === 0 ? '' : `${v['check-errors']} check errors, ${v.corruptions} corruptions, ${v.leaks} leaks remain after the repair`;
  return { exitCode, message };
}

/**
 * The built-in engine's repair on a dirty read-write open in the fuzzer: crashcow's `-r all`.
 * Unlike the CLI's hook (`dirtyOpenRepair`, src/repair/repair-hook.ts), it never fails the
 * open when the repair leaves errors: P3 then checks the image and names each remaining finding
 * with its rule, where a failed open would only say that the repair was not enough.
 */
export const crashcowRepairHook: RepairHook = (device, opts) => {
  repairImage(device, 'all', checkImage, { mutants: opts.mutants, counts: false });
};
