/**
 * planDamage: what the exported test of a damage case applies to the clean image (each patch's
 * offset and bytes, the file size when the damage changed it) and whether it must also look at the
 * damaged bits after a repair that reported success: a P7-1 bit flip that the repair left in place
 * while crashcow's check names it, which qemu-img check does not report.
 */
import type { FuzzCase } from '../fuzz/case/fuzz-case.js';
import { caseDamage } from '../fuzz/case/fuzz-case.js';
import { applyDamage, fromHex } from '../fuzz/damage/damage.js';
import type { BlockDevice } from '../storage/block-device.js';
import { ExportRefusal } from './export-refusal.js';

export interface IotestDamagePatch {
  offsetBytes: number;
  before: Uint8Array;
  after: Uint8Array;
}

export interface IotestDamage {
  /** In words, from the case (a comment only): "L2 table @0x800 entry 0, bit 60". */
  where: string;
  kind: string;
  patches: IotestDamagePatch[];
  /** The file size after the damage, when it changed. */
  fileSizeBytes: number | null;
  /** After a repair that exits 0, the damaged bits must be gone (P7-1 bit flips only). */
  checkBits: boolean;
}

/**
 * The damage of case `c` over its clean image `clean`.
 * @throws ExportRefusal when the clean image does not hold the damage's `before` bytes (another
 *   image than the one the case damaged), or the failure is about guest data, which the script does not read
 */
export function planDamage(c: FuzzCase, clean: BlockDevice, casePath: string): IotestDamage {
  const d = caseDamage(c)!;
  if (applyDamage(clean, d) === null) throw new ExportRefusal(`${casePath}: the replay's clean image does not hold the bytes the damage records as before it, so it is not the image the case damaged`);
  const rules = c.violation.rules;
  if (!rules.includes('P7-1') && !rules.includes('P7-2')) throw new ExportRefusal(`${casePath}: the failure is about what the guest reads after the repair (${rules.join(', ')}), which the exported script does not read`);
  const patches = d.patches.map((p) => ({ offsetBytes: byteCount(p.offsetBytes, casePath), before: fromHex(p.before), after: fromHex(p.after) }));
  return {
    where: d.where,
    kind: d.kind,
    patches,
    fileSizeBytes: d.fileSizeBytes === undefined ? null : byteCount(d.fileSizeBytes, casePath),
    checkBits: d.kind === 'bit-flip' && rules.includes('P7-1'),
  };
}

function byteCount(n: number, casePath: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ExportRefusal(`${casePath}: a damage offset or size is not a byte count a script can hold`);
  return n;
}
