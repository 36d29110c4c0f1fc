/**
 * measureCase: what a case does when replayed on one target, in the words of a record (fails,
 * passes, diverges). A new target per case, disposed after it: no state carries from one case to
 * the next.
 */
import type { MutantName } from '../../engine/mutants.js';
import type { QemuBinaries } from '../../engine/qemu/qemu-binaries.js';
import { makeTarget } from '../target/make-target.js';
import type { ReplayVerdict } from './case-expectations.js';
import type { FuzzCase } from './fuzz-case.js';
import { replayCase } from './replay-case.js';

/**
 * Replays `c` on its engine (with its mutants; QEMU cases on `qemu`).
 * @throws InvalidCaseError or FormatError for a case that does not fit its operations; SetupError when QEMU cannot run
 */
export async function measureCase(c: FuzzCase, path: string, qemu?: QemuBinaries): Promise<ReplayVerdict> {
  const target = await makeTarget(c.engine.name, c.engine.mutants as MutantName[], c.engine.name === 'qemu' ? qemu : undefined);
  try {
    const r = await replayCase(c, target, path);
    return r.reproduced ? 'fails' : r.diverged !== undefined ? 'diverges' : 'passes';
  } finally {
    await target.dispose();
  }
}
