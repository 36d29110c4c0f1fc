/**
 * planPoke: the `--form poke` variant of an exported test, where the script builds the image before
 * the crash itself with qemu-img and qemu-io and then applies the crash's kept writes with printf
 * and dd. Not available yet for any case: it refuses, saying why.
 */
import type { QemuBinaries } from '../engine/qemu/qemu-binaries.js';
import { ExportRefusal } from './export-refusal.js';
import type { IotestPlan } from './iotest-plan.js';

export type PokePlan = never;

/** @throws ExportRefusal always, for now, with the reason */
export async function planPoke(plan: IotestPlan, _qemu: QemuBinaries): Promise<PokePlan> {
  throw new ExportRefusal(`${plan.casePath}: --form poke is not available yet; use --form image`);
}
