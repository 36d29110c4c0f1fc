/**
 * Baseline: the engine a campaign's or a corpus's failures are replayed on to class them
 * (`--baseline builtin` or `--baseline qemu:DIR`): the unmutated built-in engine, or another QEMU
 * build. Plain data. A failure is a `regression` when the baseline does not fail the same way
 * (on the recorded crash state, or on its own states where the same operations are in flight when
 * it writes otherwise), `pre-existing` when it breaks the same property and rules, and `diverged`
 * when no verdict can be had (classify-case.ts).
 */
import { BUILTIN_ENGINE_VERSION } from '../../engine/builtin/builtin-engine.js';
import type { MutantName } from '../../engine/mutants.js';
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
  /**
   * The built-in baseline's mutants: none for `--baseline builtin`. A baseline with mutants is an
   * engine with defects on record, against which a change (more mutants) is judged.
   */
  mutants?: readonly MutantName[];
  /** What the baseline runs: "crashcow-builtin 0.1.0" (no mutants) or QEMU's version line. */
  version: string;
}

/** The baseline of the built-in engine: unmutated (`--baseline builtin`), or with `mutants`. */
export function builtinBaseline(mutants: readonly MutantName[] = []): Baseline {
  const version = `crashcow-builtin ${BUILTIN_ENGINE_VERSION}`;
  if (mutants.length === 0) return { spec: 'builtin', engine: 'builtin', version };
  return { spec: `builtin:${mutants.join(',')}`, engine: 'builtin', mutants, version: `${version} (mutants: ${mutants.join(', ')})` };
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
