/**
 * A campaign across machines as the README describes it: four shards of one campaign run as
 * separate processes of the built CLI, each told its shard the way its system would (a Kubernetes
 * Indexed Job, a Slurm array, a CI matrix variable, the flag), then `crashcow merge` joins them.
 * The merged runs must be exactly the unsharded plan's, each batch once, with each finding once.
 */
import Ajv from 'ajv';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobBatches } from '../../../../src/fuzz/campaign/campaign-plan.js';
import { crashcow } from '../../../helpers/crashcow-cli.js';

const mergeSchema = JSON.parse(readFileSync(new URL('../../../../spec/schemas/merge-summary.schema.json', import.meta.url), 'utf8'));
const validMerge = new Ajv({ allErrors: true, strict: true }).compile(mergeSchema);

const SEED = 1;
const RUNS = 40;
const dir = mkdtempSync(join(tmpdir(), 'crashcow-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The variables each shard's system sets: the same ones the README's examples use. */
const SHARDS: Array<{ env: Record<string, string>; flags: string[]; source: RegExp }> = [
  { env: { JOB_COMPLETION_INDEX: '0', CRASHCOW_SHARD_COUNT: '4' }, flags: [], source: /^JOB_COMPLETION_INDEX=0, CRASHCOW_SHARD_COUNT=4$/ },
  { env: { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4' }, flags: [], source: /^SLURM_ARRAY_TASK_ID=2, / },
  { env: { CRASHCOW_SHARD: '3/4' }, flags: [], source: /^CRASHCOW_SHARD=3\/4$/ },
  { env: {}, flags: ['--shard', '4/4'], source: /^--shard 4\/4$/ },
];

/** Shard `n` as its own process, with only its system's variables (crashcow() leaves out the others). */
function fuzzShard(n: number): Promise<{ exitCode: number; stderr: string }> {
  const s = SHARDS[n - 1];
  const args = ['fuzz', '--engine', 'builtin', '--mutant', 'refcount-after-l2', '--seed', String(SEED), '--runs', String(RUNS), '--lazy-refcounts', 'off', '--states-per-crash', '16', '--max-commands', '12', '--corpus', join(dir, `shard-${n}`, 'cases'), '--summary', join(dir, `shard-${n}`, 'summary.json'), ...s.flags];
  return crashcow(args, { env: s.env });
}

describe('a campaign in four shards, merged', () => {
  it('covers the unsharded plan once between the shards and lists each finding once', async () => {
    const shards = await Promise.all([1, 2, 3, 4].map(fuzzShard));
    for (const r of shards) expect([0, 1], r.stderr).toContain(r.exitCode);
    const into = join(dir, 'merged');
    const r = await crashcow(['merge', '--output', 'json', '--into', into, ...[1, 2, 3, 4].map((n) => join(dir, `shard-${n}`))]);
    expect(r.stderr, 'merge refused the shards').toBe('');
    const merged = JSON.parse(r.stdout);
    expect(validMerge(merged), JSON.stringify(validMerge.errors)).toBe(true);
    expect(merged.shards.map((s: { index: number }) => s.index)).toEqual([1, 2, 3, 4]);
    merged.shards.forEach((s: { source: string }, i: number) => expect(s.source).toMatch(SHARDS[i].source));
    expect(merged.missingShards).toEqual([]);
    expect(merged.batchesNotRun).toEqual([]);
    const plan = [...jobBatches({ masterSeed: SEED, totalRuns: RUNS, shardIndex: 0, shardCount: 1, jobCount: 1 }, 0)].map((b) => [b.index, b.seed]);
    expect(merged.batches.map((b: { index: number; seed: number }) => [b.index, b.seed])).toEqual(plan);
    const perShard = shards.map((_, i) => JSON.parse(readFileSync(join(dir, `shard-${i + 1}`, 'summary.json'), 'utf8')));
    expect(merged.runs).toBe(perShard.reduce((n, s) => n + s.runs, 0));
    expect(merged.crashStates).toBe(perShard.reduce((n, s) => n + s.crashStates, 0));
    for (const kind of Object.keys(merged.coverage.opKinds)) expect(merged.coverage.opKinds[kind].ops, kind).toBe(perShard.reduce((n, s) => n + s.coverage.opKinds[kind].ops, 0));
    for (const [name, values] of Object.entries(merged.coverage.imageOptions as Record<string, Record<string, number>>)) expect(Object.values(values).reduce((n, v) => n + v, 0), name).toBe(merged.runs);
    const signatures = merged.findings.map((f: { signature: string }) => f.signature);
    expect(new Set(signatures).size).toBe(signatures.length);
    const foundInShards = perShard.reduce((n, s) => n + s.findings.length, 0);
    expect(merged.findings.reduce((n: number, f: { alsoFoundBy: unknown[] }) => n + 1 + f.alsoFoundBy.length, 0)).toBe(foundInShards);
    expect(foundInShards, 'this mutant is found by more than one shard, so the merge has duplicates to drop').toBeGreaterThan(merged.findings.length);
    expect(r.exitCode).toBe(1);
    const kept = merged.findings[0].caseFile as string;
    expect(kept.startsWith(into)).toBe(true);
    expect((await crashcow(['replay', kept])).exitCode).toBe(1);
  });

  it('exits 2 naming the missing shards, and naming the file of another campaign', async () => {
    const missing = await crashcow(['merge', join(dir, 'shard-1'), join(dir, 'shard-3')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('no summary of shard(s) 2, 4 of 4');
    const otherSeed = join(dir, 'other-seed.json');
    writeFileSync(otherSeed, JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'shard-2', 'summary.json'), 'utf8')), seed: 2 }));
    const mixed = await crashcow(['merge', join(dir, 'shard-1'), otherSeed]);
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toContain(`${otherSeed}: not the same campaign as`);
    expect(mixed.stderr).not.toContain('    at ');
  });
});
