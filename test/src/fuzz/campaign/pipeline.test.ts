/**
 * From a failing run to a saved case: the batch's failing outcome carries its crash state, and
 * finalizeFailure turns it into a case without running the engine's workload again (the target
 * starts no session), shrinking the state against the recorded crash; the case replays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCase, writeCase } from '../../../../src/fuzz/case/fuzz-case.js';
import { replayCase } from '../../../../src/fuzz/case/replay-case.js';
import { finalizeFailure } from '../../../../src/fuzz/campaign/finalize-failure.js';
import { runBatch } from '../../../../src/fuzz/campaign/property-batch.js';
import type { FuzzTarget } from '../../../../src/fuzz/target/fuzz-target.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';

/** `target` with its sessions counted (a session is a run of the engine's workload). */
function countingSessions(target: FuzzTarget): { target: FuzzTarget; sessions: () => number } {
  let sessions = 0;
  const counted = Object.create(target) as FuzzTarget;
  Object.defineProperty(counted, 'startSession', { value: (...args: Parameters<FuzzTarget['startSession']>) => (sessions++, target.startSession(...args)) });
  return { target: counted, sessions: () => sessions };
}

describe('find, shrink, save and replay', () => {
  it('finds refcount-after-l2 with a short case that replays; the unmutated engine passes it', async () => {
    const { target, sessions } = countingSessions(await makeTarget('builtin', ['refcount-after-l2']));
    const r = await runBatch({ target, fixed: { lazyRefcounts: false }, statesPerCrash: 64, maxCommands: 16, shouldStop: () => false }, 1, 40);
    expect(r.failure).not.toBeNull();
    const crash = r.failure!.outcome.crash!;
    expect(crash).not.toBeNull();
    const before = sessions();
    const c = await finalizeFailure(r.failure!, { target, mutants: ['refcount-after-l2'], statesPerCrash: 64, campaignSeed: 1 });
    expect(sessions(), 'finalizing ran the workload again').toBe(before);
    expect(c.crash?.storageOpCount).toBe(crash.storageOps.length);
    expect(c.crash?.crashPoint).toBe(crash.state.crashPoint);
    expect(c.violation.property).toBe('P1');
    expect(c.violation.stage).toContain(`crash state ${c.crash!.stateId}`);
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
