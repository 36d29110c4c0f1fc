/**
 * The repair as an engine's dirty-open hook (FEAT-1, LAZY-5): an engine that opens a dirty image
 * read-write hands its device to this function first, as QEMU runs its check with both fix flags.
 * Shaped like the engine's RepairHook without importing the engine or the checker (the judge shares
 * no code with the judged); the CLI wires the three together, passing the checker as the judge. The fuzzer's built-in target uses
 * `crashcowRepairHook` (src/fuzz/target/crashcow-repairer.ts) instead, which leaves the verdict on
 * an unrepaired result to P3.
 */
import { FormatError } from '../../spec/format/format-error.js';
import type { BlockDevice } from '../storage/block-device.js';
import { repairImage } from './repair-image.js';
import type { RepairJudge } from './repair-judge.js';

/**
 * The hook that repairs the image on `device` (`-r all`), judged by `judge`. The hook throws
 * FormatError FEAT-1 when the image cannot be repaired to a clean state (QEMU then fails the open:
 * "Could not repair dirty image").
 */
export function dirtyOpenRepair(judge: RepairJudge): (device: BlockDevice, opts: { mutants: readonly string[] }) => void {
  return (device, opts) => repairDirtyImage(device, opts.mutants, judge);
}

function repairDirtyImage(device: BlockDevice, mutants: readonly string[], judge: RepairJudge): void {
  const result = repairImage(device, 'all', judge, { mutants, counts: false });
  const v = result.verified;
  if (result.strategy === 'refused' || v.corruptions > 0 || v['check-errors'] > 0) {
    const why = result.refusal.length > 0 ? result.refusal.map((f) => `${f.rule}: ${f.detail}`).join('; ') : `${v.corruptions} corruptions and ${v['check-errors']} check errors remain`;
    throw new FormatError('FEAT-1', 'header.incompatible_features @0x48', `could not repair the dirty image: ${why}`);
  }
}
