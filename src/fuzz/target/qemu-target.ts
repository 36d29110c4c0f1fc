/** Placeholder until the QEMU driver lands (step 5). */
import type { FuzzTarget, Repairer } from './fuzz-target.js';

export class QemuTarget {
  static async create(_opts: { repairers: readonly Repairer[] }): Promise<FuzzTarget> {
    throw new Error('the QEMU engine is not available yet');
  }
}
