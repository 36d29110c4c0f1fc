/**
 * classifyCase on cases of the built-in engine, against the unmutated built-in baseline. A
 * mutant's recorded state is never the baseline's (the mutant reorders writes), so the baseline
 * is judged on its own states where the same operations are in flight: none fails, a regression,
 * also for a state id the baseline's log cannot even hold (which was `diverged` before). A crash
 * whose operation in flight writes nothing on the baseline has no corresponding crash point there,
 * and a case its own engine no longer makes cannot be placed at all: both diverged. The unmutated
 * engine fails nothing, so `pre-existing` through the baseline's own states is shown against a
 * built-in baseline with a mutant on record (and, exactly rebuilt, against QEMU in
 * test/src/cli/commands/baseline.test.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinBaseline, countClasses } from '../../../../src/fuzz/baseline/baseline.js';
import { classifyCase } from '../../../../src/fuzz/baseline/classify-case.js';
import { assertValidCase, readCase, type FuzzCase } from '../../../../src/fuzz/case/fuzz-case.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';

const corpusFile = (name: string) => fileURLToPath(new URL(`../../../../corpus/${name}.json`, import.meta.url));

const IMAGE: FuzzImageOptions = { virtualSizeBytes: 4194304, clusterSizeBytes: 512, refcountBits: 64, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };

/** A case of the built-in engine with `mutant`, as a campaign saves it (valid against the case schema). */
function mutantCase(mutant: string, image: FuzzImageOptions, operations: FuzzOp[], crash: FuzzCase['crash'], violation: FuzzCase['violation']): FuzzCase {
  const c: unknown = { schemaVersion: 1, engine: { name: 'builtin', version: 'crashcow-builtin 0.1.0', mutants: [mutant] }, image, contentSeed: 1, statesPerCrash: 1024, operations, crash, violation, seed: { campaign: 1, fastCheck: 1, path: '0' }, replay: '', expectations: { builtin: 'fails' } };
  assertValidCase(c, mutant);
  return c;
}

const write0: FuzzOp = { kind: 'write', offsetBytes: 0, lengthBytes: 512, writeId: 1 };

describe('classifyCase against the built-in baseline', () => {
  it('classes a mutant failure whose state the baseline does not make as a regression: no baseline state where the same operation is in flight fails', async () => {
    const path = corpusFile('builtin-mutant-l1-before-l2');
    const k = await classifyCase(readCase(path), builtinBaseline(), path);
    expect(k.class).toBe('regression');
    expect(k.detail).toBe(
      "exact state not rebuildable: storage operation #2 is write 0x800+0x200 on the baseline, write 0x600+0x200 on the case's engine; " +
        '9 baseline states at 4 crash points, 1, 3, 5, 7 (operation 1 (write 0x0 0x1 #1) in flight, nothing durable) judged, every state there: none breaks P1 [AL-4]',
    );
  });

  it('classes a mutant failure whose state id the baseline log cannot hold as a regression, not diverged', async () => {
    // fuzz --engine builtin --mutant refcount-after-l2 --seed 1: the mutant's flush writes the
    // L2 entry before the refcount, so the baseline writes one storage operation more.
    const c = mutantCase('refcount-after-l2', { ...IMAGE, backing: { format: 'raw', sizeBytes: 4194304 } }, [write0, { kind: 'flush' }, { kind: 'crash' }], { stateId: 'c9.g9.z0.0:2_1', crashPoint: 9, storageOpCount: 10, survivingOps: [7, 8], tornOps: [], droppedOps: [6] }, {
      property: 'P4',
      rules: ['GD-2'],
      summary: 'active guest sector 0 (offset 0x0) holds zeros, expected write #0 or write #1',
      stage: 'crash state c9.g9.z0.0:2_1, after builtin read-write open and close',
      expected: 'write #0 or write #1',
      actual: 'zeros',
    });
    const k = await classifyCase(c, builtinBaseline(), 'refcount-after-l2.json');
    expect(k.class).toBe('regression');
    expect(k.detail).toMatch(/^exact state not rebuildable: storage operation #7 is write 0x400\+0x200 on the baseline, write 0xa00\+0x200 on the case's engine; /);
    expect(k.detail).toMatch(/; 8 baseline states at 2 crash points, 8, 10 \(operations 1 to 2 in flight, nothing durable\) judged, every state there: none breaks P4 \[GD-2\]$/);
  });

  it('classes a failure the baseline has at another state where the same operations are in flight as pre-existing', async () => {
    // The change judged adds no-cow-flush to an engine with refcount-after-l2 on record: the data
    // is no longer flushed before the L2 update, so the writes differ from #8 on; the recorded
    // RC-6 (L2 linked before the refcount) is the baseline's own defect at crash point 11.
    const resize: FuzzOp[] = [{ kind: 'write', offsetBytes: 1, lengthBytes: 512, writeId: 1 }, { kind: 'flush' }, { kind: 'resize', sizeBytes: 131072 }, { kind: 'crash' }];
    const c = mutantCase('refcount-after-l2', { ...IMAGE, virtualSizeBytes: 1048576, refcountBits: 16, compat: '0.10' }, resize, { stateId: 'c10.g9.z0.1', crashPoint: 10, storageOpCount: 14, survivingOps: [6, 7, 8], tornOps: [], droppedOps: [9] }, {
      property: 'P1',
      rules: ['RC-6'],
      summary: 'an image whose dirty bit is clear has corruptions: RC-6 at cluster 5 @0xa00: refcount too low: refcount=0 reference=1',
      stage: 'crash state c10.g9.z0.1, as the crash left it',
      expected: 'no corruption (leaks and a clear COPIED flag allowed)',
      actual: '4 corruptions, 0 leaks, 0 check errors',
    });
    const changed: FuzzCase = { ...c, engine: { ...c.engine, mutants: ['refcount-after-l2', 'no-cow-flush'] } };
    const k = await classifyCase(changed, builtinBaseline(['refcount-after-l2']), 'refcount-after-l2-no-cow-flush.json');
    expect(k).toEqual({
      class: 'pre-existing',
      detail: "exact state not rebuildable: storage operation #8 is a flush on the baseline, write 0x800+0x200 on the case's engine; baseline state c11.g9.z0.1 at crash point 11 (operations 1 to 2 in flight, nothing durable) breaks P1 [RC-6] too",
    });
    // The unmutated engine has no such state: there the same change is a regression.
    expect((await classifyCase(changed, builtinBaseline(), 'refcount-after-l2-no-cow-flush.json')).class).toBe('regression');
  });

  it('classes a crash whose operation in flight writes nothing on the baseline as diverged: no corresponding crash point', async () => {
    // With lazy refcounts the baseline's discard of a fresh cluster issues no storage operation;
    // the mutant writes the refcount decrease (#10) and flushes (#11) in it. The crash before #11
    // has the write and the discard in flight; on the baseline the discard starts together with
    // the flush, so no crash there has those two and not the flush in flight.
    const ops: FuzzOp[] = [write0, { kind: 'discard', offsetBytes: 0, lengthBytes: 512 }, { kind: 'flush' }, { kind: 'crash' }];
    const c = mutantCase('decref-before-unlink', { ...IMAGE, lazyRefcounts: true }, ops, { stateId: 'c11.g9.z0', crashPoint: 11, storageOpCount: 14, survivingOps: [10], tornOps: [], droppedOps: [] }, {
      property: 'P1',
      rules: ['RC-6'],
      summary: 'recorded for the test: classifying never judges the mutant',
      stage: 'crash state c11.g9.z0, as the crash left it',
      expected: 'no corruption',
      actual: 'a corruption',
    });
    const k = await classifyCase(c, builtinBaseline(), 'decref-before-unlink.json');
    expect(k.class).toBe('diverged');
    expect(k.detail).toMatch(/^exact state not rebuildable: storage operation #10 is write 0xa00\+0x200 on the baseline, write 0x400\+0x200 on the case's engine; /);
    expect(k.detail).toMatch(/; the baseline never crashes with operations 1 to 2 in flight, nothing durable: an operation in flight there on the case's engine writes nothing on the baseline$/);
  });

  it("classes a case its own engine no longer makes as diverged: its crash cannot be placed", async () => {
    // Recorded as diverging on the built-in engine itself: its writes no longer make the state.
    const path = corpusFile('builtin-lazy-repair-zeroes-backing');
    const k = await classifyCase(readCase(path), builtinBaseline(), path);
    expect(k.class).toBe('diverged');
    expect(k.detail).toMatch(/^crash state c43\.g9\.z4\.1 cannot be placed among the case's operations \(its own engine does not make it any more: STATE-ID /);
  });

  it('refuses a case of another engine than the baseline', async () => {
    const path = corpusFile('qemu-discard-reuse-before-unlink');
    await expect(classifyCase(readCase(path), builtinBaseline(), path)).rejects.toThrow('a qemu case against a builtin baseline');
  });

  it('counts every class, zero or not', () => {
    expect(countClasses(['regression', undefined, 'diverged', 'regression'])).toEqual({ regression: 2, 'pre-existing': 0, diverged: 1 });
  });
});
