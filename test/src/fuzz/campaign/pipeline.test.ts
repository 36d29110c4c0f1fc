import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCase, writeCase } from '../../../../src/fuzz/case/fuzz-case.js';
import { replayCase } from '../../../../src/fuzz/case/replay-case.js';
import { finalizeFailure } from '../../../../src/fuzz/campaign/finalize-failure.js';
import { runBatch } from '../../../../src/fuzz/campaign/property-batch.js';
import { newRunStats } from '../../../../src/fuzz/runner/run-stats.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';

describe('find, shrink, save and replay', () => {
  it('finds refcount-after-l2 with a short case that replays; the unmutated engine passes it', async () => {
    const target = await makeTarget('builtin', ['refcount-after-l2']);
    const stats = newRunStats();
    const raw = await runBatch({ target, fixed: { lazyRefcounts: false }, statesPerCrash: 64, maxCommands: 16, stats, shouldStop: () => false }, 1, 40);
    expect(raw).not.toBeNull();
    const c = await finalizeFailure(raw!, { target, mutants: ['refcount-after-l2'], statesPerCrash: 64, campaignSeed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'crashcow-case-'));
    try {
      const path = join(dir, 'case.json');
      writeCase(path, { ...c, replay: `crashcow replay ${path}` });
      const back = readCase(path);
      expect(back.operations.length).toBeLessThanOrEqual(12);
      expect((await replayCase(back, await makeTarget('builtin', ['refcount-after-l2']))).reproduced).toBe(true);
      expect((await replayCase(back, await makeTarget('builtin'))).reproduced).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
