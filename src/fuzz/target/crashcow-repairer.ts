/**
 * crashcow's own repair (`crashcow check -r all`) as a Repairer, and as the repair hook the
 * built-in engine runs when it opens a dirty image (FEAT-1, LAZY-5). Recorded, so P5 can crash
 * inside it.
 */
import { checkImage } from '../../check/check-image.js';
import { repairImage } from '../../repair/repair-image.js';
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
        repairImage(rec, 'all', checkImage, { mutants, counts: false });
        return { device: rec.inner, ops: rec.ops };
      } catch (err) {
        return { device: rec.inner, ops: rec.ops, failure: failureOf(err) };
      }
    },
  };
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
