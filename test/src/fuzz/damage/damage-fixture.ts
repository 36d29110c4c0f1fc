/**
 * A consistent image as a damage run leaves it, for the damage tests: a small workload through the
 * built-in engine's fuzz target (writes, a flush, optionally a snapshot), then a clean close; the
 * run's clean image, its last segment and what the guest reads of it.
 */
import type { MutantName } from '../../../../src/engine/mutants.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { FuzzRun, type CleanImage } from '../../../../src/fuzz/runner/fuzz-run.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';

export const CONTENT_SEED = 7;

export const SMALL_IMAGE: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };

/** Writes of 4 KiB at guest clusters 0, 1, 5 (ids 1..3), a flush, a snapshot when asked, a write at cluster 8 (id 4), a clean close. */
export function workload(snapshot = false): FuzzOp[] {
  return [
    { kind: 'write', offsetBytes: 0, lengthBytes: 4096, writeId: 1 },
    { kind: 'write', offsetBytes: 4096, lengthBytes: 4096, writeId: 2 },
    { kind: 'write', offsetBytes: 5 * 4096, lengthBytes: 4096, writeId: 3 },
    { kind: 'flush' },
    ...(snapshot ? [{ kind: 'snapshot-create', name: 's1' } as FuzzOp] : []),
    { kind: 'write', offsetBytes: 8 * 4096, lengthBytes: 4096, writeId: 4 },
    { kind: 'reopen' },
  ];
}

/** The clean image after `ops` on the built-in target (with `mutants` in its repair). Dispose the run after use. */
export async function cleanImageAfter(ops: FuzzOp[] = workload(), mutants: MutantName[] = [], options: FuzzImageOptions = SMALL_IMAGE): Promise<{ run: FuzzRun; clean: CleanImage }> {
  const target = await makeTarget('builtin', mutants);
  const run = await FuzzRun.start({ target, options, seed: CONTENT_SEED, statesPerCrash: 4, judgeCrashes: false });
  for (const op of ops) await run.apply(op);
  const clean = await run.cleanImage();
  if (clean === null) throw new Error(`the workload failed: ${JSON.stringify(run.outcome())}`);
  return { run, clean };
}
