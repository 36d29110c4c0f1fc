/**
 * DiscardLastWriteCommand (free, then reuse): it discards the whole clusters the run's last write
 * touched, rounded out, then writes its own range; with no write yet it does not run. On the
 * reuse-before-unlink-durable mutant, that pair is the crash window the mutant opens (MUT-15).
 */
import { describe, expect, it } from 'vitest';
import { DISCARD_LAST_WRITE_CLUSTERS_MAX, DiscardLastWriteCommand } from '../../../../src/fuzz/commands/data-commands.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { BuiltinTarget } from '../../../../src/fuzz/target/builtin-target.js';

const CS = 4096;
const OPTIONS: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: CS, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };
/** Guest cluster 5, its first sector. */
const ELSEWHERE = { cluster: 5, sectorInCluster: 0, byteInSector: 0, lengthClusters: 0, lengthSectors: 1, lengthBytes: 0 };

async function start(mutants: string[] = []): Promise<FuzzRun> {
  return FuzzRun.start({ target: new BuiltinTarget({ mutants: mutants as never }), options: OPTIONS, seed: 3, statesPerCrash: 256 });
}

describe('DiscardLastWriteCommand', () => {
  it('needs a write before it', async () => {
    const run = await start();
    expect(new DiscardLastWriteCommand(ELSEWHERE).check(run)).toBe(false);
    await run.dispose();
  });

  it('discards the clusters of the last write, rounded out, then writes its range', async () => {
    const run = await start();
    await run.apply({ kind: 'write', offsetBytes: 5000, lengthBytes: 3500, writeId: run.takeWriteId() });
    const cmd = new DiscardLastWriteCommand(ELSEWHERE);
    expect(cmd.check(run)).toBe(true);
    await cmd.run(run, run);
    expect(run.history.slice(-2)).toEqual([
      { kind: 'discard', offsetBytes: CS, lengthBytes: 2 * CS },
      { kind: 'write', offsetBytes: 5 * CS, lengthBytes: 512, writeId: 2 },
    ]);
    await run.dispose();
  });

  it('frees at most DISCARD_LAST_WRITE_CLUSTERS_MAX clusters of a long write', async () => {
    const run = await start();
    await run.apply({ kind: 'write', offsetBytes: 3 * CS, lengthBytes: 20 * CS, writeId: run.takeWriteId() });
    await new DiscardLastWriteCommand(ELSEWHERE).run(run, run);
    expect(run.history.at(-2)).toEqual({ kind: 'discard', offsetBytes: 3 * CS, lengthBytes: DISCARD_LAST_WRITE_CLUSTERS_MAX * CS });
    await run.dispose();
  });

  it('opens the reuse window of reuse-before-unlink-durable, which the next crash shows (P4)', async () => {
    const run = await start(['reuse-before-unlink-durable']);
    await run.apply({ kind: 'write', offsetBytes: 0, lengthBytes: 512, writeId: run.takeWriteId() });
    await run.apply({ kind: 'flush' });
    await new DiscardLastWriteCommand(ELSEWHERE).run(run, run);
    const outcome = await run.finish();
    expect(outcome.verdict === 'fail' ? outcome.violation.property : outcome.verdict).toBe('P4');
  });
});
