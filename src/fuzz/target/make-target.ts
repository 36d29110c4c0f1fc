/**
 * makeTarget: the FuzzTarget for an engine name, with crashcow's repair wired in (the built-in
 * engine's dirty-open hook and the separate `check -r all`). QEMU's target also runs
 * `qemu-img check -r all`.
 */
import type { MutantName } from '../../engine/mutants.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import { BuiltinTarget } from './builtin-target.js';
import { crashcowRepairer, crashcowRepairHook } from './crashcow-repairer.js';
import type { FuzzTarget } from './fuzz-target.js';

export type EngineName = 'builtin' | 'qemu';

/**
 * P5 on the built-in engine's separate `crashcow check -r all` of a dirty state runs on one group
 * in this many: the engine's dirty open runs the same repair (its hook), and P5 on that recovery
 * crashes inside it on every group.
 */
const BUILTIN_DIRTY_REPAIR_P5_STRIDE = 4;

/**
 * `qemu` chooses the QEMU build for the QEMU engine (default: CRASHCOW_QEMU_DIR, else PATH).
 * @throws SetupError for the QEMU engine when qemu-io or qemu-img cannot be run
 */
export async function makeTarget(engine: EngineName, mutants: readonly MutantName[] = [], qemu?: QemuBinaries): Promise<FuzzTarget> {
  if (engine === 'builtin') return new BuiltinTarget({ mutants, repairHook: crashcowRepairHook, repairers: [crashcowRepairer(mutants, BUILTIN_DIRTY_REPAIR_P5_STRIDE)] });
  const { QemuTarget } = await import('./qemu-target.js');
  return QemuTarget.create({ repairers: [crashcowRepairer()], qemu });
}
