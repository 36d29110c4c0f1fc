/**
 * The state checkers the crash judge chooses between (`--judge`): both give the full check's
 * summary; the incremental one checks each flushed image once and counts how it checked each state.
 */
import { describe, expect, it } from 'vitest';
import { writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { summarizeCheck } from '../../../../src/fuzz/oracle/check-summary.js';
import { fullStateChecker, IncrementalStateChecker, stateCheckerFor } from '../../../../src/fuzz/oracle/state-checker.js';
import { BuiltinTarget } from '../../../../src/fuzz/target/builtin-target.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';

describe('state checkers', () => {
  it('full and incremental give the full check of every state; the incremental one checks each flushed image once', async () => {
    const target = new BuiltinTarget();
    const session = await target.startSession({ virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' }, 3);
    await session.image.write(0, writeContent(3, 1, 0, 16384));
    await session.image.flush();
    await session.image.write(1 << 19, writeContent(3, 2, 1 << 19, 8192));
    await session.sync();
    const incremental = new IncrementalStateChecker();
    let states = 0;
    for (const state of new CrashPlan(session.segmentBase, session.ops(), { maxStates: 64 }).states()) {
      const full = summarizeCheck(state.source());
      expect(fullStateChecker.summarize(state, state.view())).toEqual(full);
      expect(incremental.summarize(state, state.view())).toEqual(full);
      states++;
    }
    await session.dispose();
    const fallbacks = Object.values(incremental.stats.full).reduce((a, b) => a + (b ?? 0), 0);
    expect(incremental.stats.incremental + fallbacks).toBe(states);
    expect(incremental.stats.incremental).toBeGreaterThan(0);
    expect(incremental.stats.bases).toBeLessThan(states);
  });

  it('--judge picks the checker: full, else incremental', () => {
    expect(stateCheckerFor('full')).toBe(fullStateChecker);
    expect(stateCheckerFor('incremental')).toBeInstanceOf(IncrementalStateChecker);
    expect(stateCheckerFor(undefined)).toBeInstanceOf(IncrementalStateChecker);
  });
});
