/**
 * mergeShards and readShardOutputs on summaries made here: the totals, coverage and the dedupe, and each
 * way the input can fail to be one campaign's shards, named by file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobBatches } from '../../../../src/fuzz/campaign/campaign-plan.js';
import type { FuzzSummary } from '../../../../src/fuzz/campaign/fuzz-summary.js';
import { isMergeInputError } from '../../../../src/fuzz/campaign/merge-input-error.js';
import { mergeShards } from '../../../../src/fuzz/campaign/merge-shards.js';
import { readShardOutputs, type ShardOutputs } from '../../../../src/fuzz/campaign/shard-outputs.js';
import { withKnownKeys } from '../../../../src/fuzz/coverage/known-coverage.js';

/** Shard `index` (from 1) of `count` of a 40-run campaign with seed 7, having run its whole share. */
function summaryOf(index: number, count: number, findings: FuzzSummary['findings'] = []): FuzzSummary {
  const batches = [...jobBatches({ masterSeed: 7, totalRuns: 40, shardIndex: index - 1, shardCount: count, jobCount: 1 }, 0)].map((b) => ({ index: b.index, seed: b.seed, runs: b.numRuns, ended: 'all' as const }));
  const runs = batches.reduce((n, b) => n + b.runs, 0);
  return {
    engine: 'builtin', engineVersion: 'crashcow-builtin 0.1.0', seed: 7, runs, crashStates: 100 * index, statesPerSecond: 50, findings, knownRepeats: 0,
    campaign: { mutants: [], runs: 40, timeSeconds: null, statesPerCrash: 16, maxCommands: 12, image: {} },
    shard: { index, count, source: `--shard ${index}/${count}` }, jobs: 1, elapsedSeconds: 2, batches,
  };
}

function outputs(...summaries: FuzzSummary[]): ShardOutputs {
  return { summaries: summaries.map((summary) => ({ file: `s${summary.shard.index}/summary.json`, summary })), cases: [] };
}

/** The MergeInputError message mergeShards throws (fails the test when it throws none). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(isMergeInputError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('mergeShards', () => {
  it('adds the shards up and covers the plan', () => {
    const m = mergeShards(outputs(summaryOf(2, 2), summaryOf(1, 2)));
    expect(m.shards.map((s) => s.index)).toEqual([1, 2]);
    expect(m).toMatchObject({ runs: 40, crashStates: 300, statesPerSecond: 100, elapsedSeconds: { total: 4, longest: 2 }, missingShards: [], batchesNotRun: [] });
    expect(m.batches.map((b) => [b.index, b.shard])).toEqual([[0, 1], [1, 2], [2, 1], [3, 2]]);
  });

  it('sums the shards\' coverage key by key, and has none when a shard\'s summary has none', () => {
    const one = summaryOf(1, 2);
    one.coverage = withKnownKeys({ opKinds: { write: { runs: 20, ops: 90, crashPoints: 30, crashStates: 200 } }, imageOptions: { compat: { '1.1': 20 } } });
    const two = summaryOf(2, 2);
    two.coverage = withKnownKeys({ opKinds: { write: { runs: 19, ops: 80, crashPoints: 25, crashStates: 100 }, resize: { runs: 3, ops: 4, crashPoints: 0, crashStates: 0 } }, imageOptions: { compat: { '1.1': 18, '0.10': 2 }, clusterSizeBytes: { '1024': 20 } } });
    const m = mergeShards(outputs(one, two));
    expect(m.coverage?.opKinds.write).toEqual({ runs: 39, ops: 170, crashPoints: 55, crashStates: 300 });
    expect(m.coverage?.opKinds.resize).toEqual({ runs: 3, ops: 4, crashPoints: 0, crashStates: 0 });
    expect(m.coverage?.opKinds.discard).toEqual({ runs: 0, ops: 0, crashPoints: 0, crashStates: 0 });
    expect(m.coverage?.imageOptions.compat).toEqual({ '0.10': 2, '1.1': 38 });
    expect(m.coverage?.imageOptions.clusterSizeBytes).toEqual({ '512': 0, '4096': 0, '16384': 0, '65536': 0, '1024': 20 });
    expect(mergeShards(outputs(one, summaryOf(2, 2))).coverage).toBeUndefined();
  });

  it('lists missing shards and the batches the present ones did not run', () => {
    const cut = summaryOf(1, 4);
    cut.batches = [];
    cut.runs = 0;
    const m = mergeShards(outputs(cut, summaryOf(3, 4)));
    expect(m.missingShards).toEqual([2, 4]);
    expect(m.batchesNotRun).toEqual([0]);
  });

  it('keeps one finding per signature, the lowest shard\'s case, and names the others', () => {
    const p1 = (b: number) => ({ property: 'P1', rules: ['AL-4', 'L2-2'], caseFile: `/elsewhere/x-b${b}.json` });
    const cases = [0, 1].map((b) => ({ file: `s${b + 1}/x-b${b}.json`, case: { engine: { name: 'builtin', version: '', mutants: [] }, seed: { campaign: 7 } } }));
    const m = mergeShards({ ...outputs(summaryOf(2, 2, [p1(1)]), summaryOf(1, 2, [p1(0), { property: 'P4', rules: ['GD-2'], caseFile: 'x-b0.json' }])), cases: cases as unknown as ShardOutputs['cases'] });
    expect(m.findings.map((f) => [f.signature, f.shard, f.caseFile])).toEqual([['P1:AL-4,L2-2', 1, 's1/x-b0.json'], ['P4:GD-2', 1, 's1/x-b0.json']]);
    expect(m.findings[0].alsoFoundBy).toEqual([{ shard: 2, caseFile: 's2/x-b1.json' }]);
  });

  it('refuses shards of different campaigns, naming the file and what differs', () => {
    const other = summaryOf(2, 2);
    other.seed = 8;
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 2), other)))).toMatch(/^s2\/summary.json: not the same campaign as s1\/summary.json: seed 8 against 7/);
    const fewer = summaryOf(2, 2);
    fewer.campaign = { ...fewer.campaign, statesPerCrash: 1024 };
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 2), fewer)))).toContain('campaign settings');
    const large = summaryOf(2, 2);
    large.campaign = { ...large.campaign, image: { ...large.campaign.image, profile: 'large' } };
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 2), large))), 'shards of another --profile').toContain('campaign settings');
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 2), summaryOf(2, 3))))).toContain('shard count 3 against 2');
  });

  it('refuses a shard twice, batches that are not the shard\'s, and runs that do not add up', () => {
    const twice = outputs(summaryOf(1, 2), summaryOf(1, 2));
    twice.summaries[1].file = 'copy/summary.json';
    expect(refusal(() => mergeShards(twice))).toBe('copy/summary.json: shard 1/2 again (also in s1/summary.json)');
    const foreign = summaryOf(2, 2);
    foreign.batches = summaryOf(1, 2).batches;
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 2), foreign)))).toContain("batch 0 is not one of shard 2/2's");
    const reseeded = summaryOf(2, 2);
    reseeded.batches = reseeded.batches.map((b) => ({ ...b, seed: b.seed + 1 }));
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 2), reseeded)))).toContain('master seed 7 gives it');
    const miscounted = summaryOf(2, 2);
    miscounted.runs += 1;
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 2), miscounted)))).toContain('add up to 20 runs, but it counts 21');
  });

  it('refuses a listed case that is missing, and a case of another campaign', () => {
    const listed = { property: 'P1', rules: ['AL-4'], caseFile: 'gone.json' };
    expect(refusal(() => mergeShards(outputs(summaryOf(1, 1, [listed]))))).toBe('s1/summary.json: lists the case gone.json, which is not in the folders given');
    const foreign = { file: 's1/gone.json', case: { engine: { name: 'builtin', version: '', mutants: ['l1-before-l2'] }, seed: { campaign: 7 } } };
    expect(refusal(() => mergeShards({ ...outputs(summaryOf(1, 1, [listed])), cases: [foreign] as unknown as ShardOutputs['cases'] }))).toMatch(/^s1\/gone.json: a case of another campaign/);
    expect(refusal(() => mergeShards({ summaries: [], cases: [] }))).toContain('no fuzz summary found');
  });
});

describe('readShardOutputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crashcow-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads summaries and refuses a file that is neither a summary nor a case, naming it', () => {
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summaryOf(1, 1)));
    expect(readShardOutputs([dir]).summaries.map((s) => s.summary.shard.index)).toEqual([1]);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(refusal(() => readShardOutputs([dir]))).toMatch(/broken\.json: cannot read it as JSON/);
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...summaryOf(1, 1), shard: undefined }));
    expect(refusal(() => readShardOutputs([dir]))).toMatch(/broken\.json: not a valid crashcow fuzz summary/);
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ hello: 1 }));
    expect(refusal(() => readShardOutputs([dir]))).toMatch(/broken\.json: not a valid crashcow case/);
    expect(refusal(() => readShardOutputs([join(dir, 'absent')]))).toMatch(/absent: no such file or folder/);
  });
});
