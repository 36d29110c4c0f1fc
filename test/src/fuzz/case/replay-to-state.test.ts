/**
 * replayToState: a case's operations run again rebuild its recorded crash state (which breaks the
 * recorded property when judged); a case whose state does not exist in the replay's recorded
 * writes is diverged, as a value; a malformed state id is an invalid case.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FuzzCase } from '../../../../src/fuzz/case/fuzz-case.js';
import { isInvalidCaseError } from '../../../../src/fuzz/case/fuzz-case.js';
import { replayCase } from '../../../../src/fuzz/case/replay-case.js';
import { replayToState } from '../../../../src/fuzz/case/replay-to-state.js';
import { evidenceJudge } from '../../../../src/fuzz/runner/crash-evidence.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';

const recorded = JSON.parse(readFileSync(new URL('../../../../corpus/builtin-mutant-l1-before-l2.json', import.meta.url), 'utf8')) as FuzzCase;
const withStateId = (stateId: string): FuzzCase => ({ ...recorded, crash: { ...recorded.crash!, stateId } });

describe('replayToState', () => {
  it('rebuilds the recorded state from the replay\'s own storage operations', async () => {
    const r = await replayToState(recorded, await makeTarget('builtin', ['l1-before-l2']));
    expect(r.kind).toBe('state');
    if (r.kind !== 'state') return;
    expect(r.crash.state.id).toBe(recorded.crash!.stateId);
    expect(r.crash.storageOps).toHaveLength(recorded.crash!.storageOpCount);
    expect((await evidenceJudge(r.crash)(r.crash.state))?.property).toBe('P1');
  });

  it('gives diverged when the engine did not write what the state id needs', async () => {
    const target = await makeTarget('builtin', ['l1-before-l2']);
    const runs = await replayToState(withStateId('c3.g9.z0.1:500'), target);
    expect(runs.kind).toBe('diverged');
    expect(runs.kind === 'diverged' && runs.reason).toContain('runs cover more than the');
    const past = await replayToState(withStateId('c99.g9.z0'), target);
    expect(past.kind === 'diverged' && past.reason).toContain('past the 7 operations');
    expect(await replayCase(withStateId('c99.g9.z0'), target)).toMatchObject({ reproduced: false, violation: null, diverged: expect.stringContaining('STATE-ID') });
  });

  it('rejects a malformed state id as an invalid case before running anything', async () => {
    const err = await replayToState(withStateId('nonsense'), await makeTarget('builtin')).catch((e: unknown) => e);
    expect(isInvalidCaseError(err)).toBe(true);
  });
});
