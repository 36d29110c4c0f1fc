/**
 * fillImage (FuzzImageOptions.fillBytes): a run on a populated image starts from the base content
 * over the fill, which the model reads as it reads a backing file's bytes: lockstep holds after a
 * flush, writes, a discard and a final crash, and the engine's allocated clusters are there.
 */
import { describe, expect, it } from 'vitest';
import { readImageMeta } from '../../../../spec/format/image-meta.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { BuiltinTarget } from '../../../../src/fuzz/target/builtin-target.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';

const options: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback', fillBytes: 512 * 1024 };

describe('fillImage', () => {
  it('a run on a half-filled image keeps lockstep and every crash property', async () => {
    const run = await FuzzRun.start({ target: new BuiltinTarget(), options, seed: 11, statesPerCrash: 64 });
    const { segmentBase: base } = await run.recordedCrash();
    // Cluster 0, the tables, then 128 data clusters of the fill.
    expect(base.sizeBytes).toBeGreaterThan(128 * 4096);
    expect(readImageMeta(toByteSource(base)).header.incompatibleFeatures & 1n).toBe(0n);
    await run.apply({ kind: 'flush' });
    await run.apply({ kind: 'write', offsetBytes: 4096 * 3 + 512, lengthBytes: 1024, writeId: run.takeWriteId() });
    await run.apply({ kind: 'discard', offsetBytes: 4096 * 8, lengthBytes: 4096 * 2 });
    await run.apply({ kind: 'write', offsetBytes: 600 * 1024, lengthBytes: 8192, writeId: run.takeWriteId() });
    await run.apply({ kind: 'flush' });
    const outcome = await run.finish();
    expect(outcome.verdict).toBe('pass');
    expect(outcome.stats.crashStates).toBeGreaterThan(0);
  });

  it('takes the snapshots of the fill, which the model knows: applying one brings the fill back, and a run may take its own besides', async () => {
    const run = await FuzzRun.start({ target: new BuiltinTarget(), options: { ...options, fillSnapshots: 2 }, seed: 12, statesPerCrash: 16 });
    const { segmentBase: base } = await run.recordedCrash();
    expect(readImageMeta(toByteSource(base)).header.snapshotCount).toBe(2);
    expect([...run.model.snapshots.keys()]).toEqual(['fill1', 'fill2']);
    await run.apply({ kind: 'write', offsetBytes: 4096, lengthBytes: 8192, writeId: run.takeWriteId() });
    await run.apply({ kind: 'flush' });
    await run.apply({ kind: 'snapshot-create', name: run.takeSnapshotName() });
    await run.apply({ kind: 'snapshot-apply', name: 'fill1' });
    await run.apply({ kind: 'snapshot-delete', name: 'fill2' });
    await run.apply({ kind: 'flush' });
    const outcome = await run.finish();
    expect(outcome.verdict).toBe('pass');
    expect([...run.model.snapshots.keys()]).toEqual(['fill1', 's1']);
  });
});
