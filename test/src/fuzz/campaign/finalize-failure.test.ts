/**
 * A saved case names the QEMU that made it: the version line of the binaries the target ran, and a
 * record of failing on that version. The failure here is a lockstep one written by hand (finding a
 * real QEMU defect takes minutes); the target is the real QEMU of the folder on PATH.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveQemuBinaries } from '../../../../src/engine/qemu/qemu-binaries.js';
import { finalizeFailure } from '../../../../src/fuzz/campaign/finalize-failure.js';
import type { BatchFailure } from '../../../../src/fuzz/campaign/property-batch.js';
import { readCase, writeCase, type FuzzCase } from '../../../../src/fuzz/case/fuzz-case.js';
import { newRunStats } from '../../../../src/fuzz/runner/run-stats.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';
import { pathQemuDir, tempDir } from '../../../helpers/qemu.js';

const recorded = JSON.parse(readFileSync(new URL('../../../../corpus/qemu-snapshot-apply-copied-window.json', import.meta.url), 'utf8')) as FuzzCase;

describe('finalizeFailure', () => {
  it('records the version line of the QEMU binaries run, and that the case fails on that version', async () => {
    const qemu = await resolveQemuBinaries(pathQemuDir());
    const target = await makeTarget('qemu', [], qemu);
    const tmp = tempDir('crashcow-finalize-');
    try {
      const failure: BatchFailure = {
        options: recorded.image,
        contentSeed: 3,
        fastCheckSeed: 5,
        path: '0',
        outcome: { verdict: 'fail', history: [{ kind: 'flush' }], stats: newRunStats(), crash: null, violation: { ...recorded.violation, property: 'LOCKSTEP', stage: 'lockstep after op 0' } },
      };
      const c = await finalizeFailure(failure, { target, mutants: [], statesPerCrash: 8, campaignSeed: 1 });
      const file = tmp.path('case.json');
      writeCase(file, { ...c, replay: `crashcow replay ${file}` });
      const back = readCase(file);
      expect(back.engine.versionLine).toBe(qemu.versionLine);
      expect(back.engine.version).toBe(qemu.versionLine.replace('qemu-io version ', 'qemu-io '));
      const key = /version (\d+\.\d+\.\d+)/.exec(qemu.versionLine)![1];
      expect(back.expectations).toEqual({ [key]: 'fails' });
      expect(back.expectation).toBeUndefined();
    } finally {
      await target.dispose();
      tmp.cleanup();
    }
  });
});
