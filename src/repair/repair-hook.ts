/**
 * The repair as an engine's dirty-open hook (FEAT-1, LAZY-5): an engine that opens a dirty image
 * read-write hands its device to this function first, as QEMU runs its check with both fix flags.
 * Shaped like the engine's RepairHook without importing the engine (the judge shares no code with
 * the judged); the CLI wires the two together. The fuzzer's built-in target uses
 * `crashcowRepairHook` (src/fuzz/target/crashcow-repairer.ts) instead, which leaves the verdict on
 * an unrepaired result to P3.
 */
import { FormatError } from '../../spec/format/format-error.js';
import type { BlockDevice } from '../storage/block-device.js';
import { repairImage } from './repair-image.js';

/**
 * Repairs the image on `device` (`-r all`). Throws FormatError FEAT-1 when the image cannot be
 * repaired to a clean state (QEMU then fails the open: "Could not repair dirty image").
 */
export function dirtyOpenRepair(device: BlockDevice, opts: { mutants: readonly string[] }): void {
  const result = repairImage(device, 'all', { mutants: opts.mutants, counts: false });
  const v = result.verified;
  if (result.strategy === 'refused' || v.corruptions > 0 || v['check-errors'] > 0) {
    const why = result.refusal.length > 0 ? result.refusal.map((f) => `${f.rule}: ${f.detail}`).join('; ') : `${v.corruptions} corruptions and ${v['check-errors']} check errors remain`;
    throw new FormatError('FEAT-1', 'header.incompatible_features @0x48', `could not repair the dirty image: ${why}`);
  }
}
