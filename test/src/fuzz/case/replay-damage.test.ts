/**
 * Damage cases end to end: a damage batch with the repair-naive-increment mutant finds a failure,
 * finalizeFailure records its fault and damage byte by byte (a valid case), the case replays
 * (fails with the mutant, passes without it), a case whose image does not hold the recorded bytes
 * diverges, and a case saved before faults were recorded is still valid.
 */
import { describe, expect, it } from 'vitest';
import { assertValidCase, caseDamage, type FuzzCase } from '../../../../src/fuzz/case/fuzz-case.js';
import { replayCase } from '../../../../src/fuzz/case/replay-case.js';
import { finalizeFailure } from '../../../../src/fuzz/campaign/finalize-failure.js';
import { runBatch } from '../../../../src/fuzz/campaign/property-batch.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';

const MUTANT = 'repair-naive-increment' as const;

describe('damage cases', () => {
  let c: FuzzCase;

  it('a damage batch records the fault and the damage in a valid case', async () => {
    const target = await makeTarget('builtin', [MUTANT]);
    const r = await runBatch({ target, fixed: {}, statesPerCrash: 16, maxCommands: 8, faults: 'damage', shouldStop: () => false }, 1, 20);
    expect(r.failure).not.toBeNull();
    expect(r.failure!.fault).toBe('damage');
    expect(r.stats.damageRuns).toBeGreaterThan(0);
    expect(r.stats.powerRuns).toBe(0);
    c = await finalizeFailure(r.failure!, { target, mutants: [MUTANT], statesPerCrash: 16, campaignSeed: 1 });
    c.replay = 'crashcow replay case.json';
    assertValidCase(JSON.parse(JSON.stringify(c)), 'case');
    expect(c.crash).toBeNull();
    expect(c.violation.property).toBe('P7');
    expect(c.fault?.kind).toBe('damage');
    expect(caseDamage(c)?.patches.length).toBeGreaterThan(0);
    expect(c.operations[c.operations.length - 1]).toEqual({ kind: 'reopen' });
    expect(c.operations.length).toBeLessThanOrEqual(12);
  });

  it('replays: fails with the mutant, passes without it', async () => {
    expect((await replayCase(c, await makeTarget('builtin', [MUTANT]))).reproduced).toBe(true);
    const plain = await replayCase(c, await makeTarget('builtin'));
    expect(plain.reproduced).toBe(false);
    expect(plain.diverged).toBeUndefined();
  });

  it('diverges when the image does not hold the bytes the damage records as before it', async () => {
    const d = caseDamage(c)!;
    const p = d.patches[0];
    const flipped = (parseInt(p.before.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') + p.before.slice(2);
    const other: FuzzCase = { ...c, fault: { kind: 'damage', damage: { ...d, patches: [{ ...p, before: flipped }, ...d.patches.slice(1)] } } };
    const r = await replayCase(other, await makeTarget('builtin', [MUTANT]));
    expect(r.reproduced).toBe(false);
    expect(r.diverged).toMatch(/does not hold the bytes/);
  });

  it('the schema takes cases without a fault, and refuses malformed damage bytes', () => {
    const { fault: _fault, ...old } = c;
    expect(() => assertValidCase(JSON.parse(JSON.stringify(old)), 'old')).not.toThrow();
    const d = caseDamage(c)!;
    const bad = { ...c, fault: { kind: 'damage', damage: { ...d, patches: [{ ...d.patches[0], after: 'xyz' }] } } };
    expect(() => assertValidCase(JSON.parse(JSON.stringify(bad)), 'bad')).toThrow(/pattern|oneOf/);
  });
});
