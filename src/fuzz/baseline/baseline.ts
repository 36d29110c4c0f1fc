/**
 * Baseline: the engine a campaign's or a corpus's failures are replayed on to class them
 * (`--baseline builtin` or `--baseline qemu:DIR`): the unmutated built-in engine, or another QEMU
 * build. Plain data. A failure is a `regression` when the baseline does not fail the same way,
 * `pre-existing` when it breaks the same property and rules, and `diverged` when the baseline's
 * writes do not let the crash state be rebuilt (no verdict there).
 */
import { BUILTIN_ENGINE_VERSION } from '../../engine/builtin/builtin-engine.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import type { EngineName } from '../target/make-target.js';

export type FindingClass = 'regression' | 'pre-existing' | 'diverged';

/** Every class, in the order summaries list them. */
export const FINDING_CLASSES: readonly FindingClass[] = ['regression', 'pre-existing', 'diverged'];

export interface Baseline {
  /** As the user gave it: "builtin" or "qemu:DIR". */
  spec: string;
  engine: EngineName;
  /** The QEMU build of a `qemu:DIR` baseline. */
  qemu?: QemuBinaries;
  /** What the baseline runs: "crashcow-builtin 0.1.0" (no mutants) or QEMU's version line. */
  version: string;
}

/** The baseline of the unmutated built-in engine. */
export function builtinBaseline(): Baseline {
  return { spec: 'builtin', engine: 'builtin', version: `crashcow-builtin ${BUILTIN_ENGINE_VERSION}` };
}

/** The baseline of a QEMU build, `spec` as given ("qemu:DIR"). */
export function qemuBaseline(spec: string, qemu: QemuBinaries): Baseline {
  return { spec, engine: 'qemu', qemu, version: qemu.versionLine };
}

/** How many of `classes` fall in each class (every class present, zero or not). */
export function countClasses(classes: Iterable<FindingClass | undefined>): Record<FindingClass, number> {
  const counts: Record<FindingClass, number> = { regression: 0, 'pre-existing': 0, diverged: 0 };
  for (const k of classes) if (k !== undefined) counts[k]++;
  return counts;
}
