/**
 * mergeShards: the shards of one campaign as one summary. Takes the summaries and cases that
 * readShardOutputs found; gives the totals (runs, crash states, coverage, time), the shards present and
 * missing, the batches run against the plan, and the findings deduplicated by the campaign's own
 * signature (violationSignature: property and rules; engine and mutants are the campaign's), each
 * kept once with the shards that found it again. Pure. Input that is not one campaign (shards that
 * differ in engine, seed, shard count, budget or options; a shard twice; batches that are not the
 * shard's; a listed case that is missing) throws MergeInputError naming the file; missing shards
 * are not an error here but are listed, for the caller to act on.
 */
import { basename, dirname, sep } from 'node:path';
import { newCoverage, sumCoverage } from '../coverage/coverage.js';
import { withKnownKeys, type KnownCoverage } from '../coverage/known-coverage.js';
import { violationSignature, type PropertyName } from '../violation.js';
import type { BatchRecord } from './batch-record.js';
import { batchSeed, RUNS_PER_BATCH } from './campaign-plan.js';
import type { CampaignIdentity, FuzzSummary } from './fuzz-summary.js';
import { MergeInputError } from './merge-input-error.js';
import type { ShardOutputs } from './shard-outputs.js';

export interface MergedFinding {
  signature: string;
  property: string;
  rules: string[];
  /** The case kept for it: the first shard's (by shard index) that found it. */
  caseFile: string;
  /** The shard (1-based) whose case is kept. */
  shard: number;
  /** The other shards that found it, with their cases. */
  alsoFoundBy: Array<{ shard: number; caseFile: string }>;
}

export interface MergedSummary {
  engine: FuzzSummary['engine'];
  engineVersion: string;
  seed: number;
  campaign: CampaignIdentity;
  shardCount: number;
  /** The shards present, by index (1-based). */
  shards: Array<{ index: number; source: string; file: string; runs: number; crashStates: number; elapsedSeconds: number; findings: number }>;
  /** Indexes (1-based) of the shards without a summary. */
  missingShards: number[];
  runs: number;
  crashStates: number;
  knownRepeats: number;
  /** The shards' coverage summed; absent when a shard's summary has none (written before coverage was counted). */
  coverage?: KnownCoverage;
  /** The shards' throughputs added up (each shard's states over its own time). */
  statesPerSecond: number;
  /** Seconds summed over the shards, and the longest shard's. */
  elapsedSeconds: { total: number; longest: number };
  /** Every batch run, by index, with its shard. */
  batches: Array<BatchRecord & { shard: number }>;
  /** With a runs budget: the plan's batches of the present shards that no shard ran; null with a time budget. */
  batchesNotRun: number[] | null;
  findings: MergedFinding[];
  /** Case files in the folders that no summary lists (left out of the findings). */
  unlistedCases: string[];
}

/** @throws MergeInputError for input that is not the output of one campaign's shards */
export function mergeShards(inputs: ShardOutputs): MergedSummary {
  const summaries = [...inputs.summaries].sort((a, b) => a.summary.shard.index - b.summary.shard.index);
  if (summaries.length === 0) throw new MergeInputError(inputs.cases[0]?.file ?? '(the folders given)', 'no fuzz summary found: run each shard with crashcow fuzz --summary FILE');
  const ref = summaries[0];
  const seen = new Map<number, string>();
  for (const s of summaries) {
    checkSameCampaign(s, ref);
    const earlier = seen.get(s.summary.shard.index);
    if (earlier !== undefined) throw new MergeInputError(s.file, `shard ${s.summary.shard.index}/${s.summary.shard.count} again (also in ${earlier})`);
    seen.set(s.summary.shard.index, s.file);
    checkBatches(s.file, s.summary);
  }
  const count = ref.summary.shard.count;
  const present = summaries.map((s) => s.summary);
  const casesByName = new Map<string, string[]>();
  for (const c of inputs.cases) casesByName.set(basename(c.file), [...(casesByName.get(basename(c.file)) ?? []), c.file]);
  const listed = new Set<string>();
  const findings = new Map<string, MergedFinding>();
  for (const { file, summary } of summaries) {
    for (const f of summary.findings) {
      const caseFile = resolveCase(file, f.caseFile, casesByName);
      listed.add(caseFile);
      const signature = violationSignature({ property: f.property as PropertyName, rules: f.rules });
      const kept = findings.get(signature);
      if (kept) kept.alsoFoundBy.push({ shard: summary.shard.index, caseFile });
      else findings.set(signature, { signature, property: f.property, rules: f.rules, caseFile, shard: summary.shard.index, alsoFoundBy: [] });
    }
  }
  for (const c of inputs.cases.filter((c) => listed.has(c.file))) checkCase(c.file, c.case, ref.summary);
  const batches = summaries.flatMap((s) => s.summary.batches.map((b) => ({ ...b, shard: s.summary.shard.index }))).sort((a, b) => a.index - b.index);
  return {
    engine: ref.summary.engine,
    engineVersion: ref.summary.engineVersion,
    seed: ref.summary.seed,
    campaign: ref.summary.campaign,
    shardCount: count,
    shards: present.map((s, i) => ({ index: s.shard.index, source: s.shard.source, file: summaries[i].file, runs: s.runs, crashStates: s.crashStates, elapsedSeconds: s.elapsedSeconds, findings: s.findings.length })),
    missingShards: Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i)),
    runs: sum(present.map((s) => s.runs)),
    crashStates: sum(present.map((s) => s.crashStates)),
    knownRepeats: sum(present.map((s) => s.knownRepeats)),
    ...coverageOf(present),
    statesPerSecond: sum(present.map((s) => s.statesPerSecond)),
    elapsedSeconds: { total: Math.round(sum(present.map((s) => s.elapsedSeconds)) * 1000) / 1000, longest: Math.max(...present.map((s) => s.elapsedSeconds)) },
    batches,
    batchesNotRun: notRun(ref.summary.campaign.runs, count, [...seen.keys()], batches),
    findings: [...findings.values()],
    unlistedCases: inputs.cases.map((c) => c.file).filter((f) => !listed.has(f)),
  };
}

/** The shards' coverage summed, every known key listed, when every shard has one. */
function coverageOf(present: readonly FuzzSummary[]): { coverage?: KnownCoverage } {
  const all = present.map((s) => s.coverage);
  if (all.some((c) => c === undefined)) return {};
  return { coverage: withKnownKeys(all.reduce((a, c) => sumCoverage(a, c!), newCoverage())) };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** JSON with object keys sorted, to compare values whatever order their keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

function checkSameCampaign(s: { file: string; summary: FuzzSummary }, ref: { file: string; summary: FuzzSummary }): void {
  const fields: Array<[string, (x: FuzzSummary) => unknown]> = [
    ['engine', (x) => x.engine],
    ['engineVersion', (x) => x.engineVersion],
    ['seed', (x) => x.seed],
    ['shard count', (x) => x.shard.count],
    ['campaign settings', (x) => canonical(x.campaign)],
  ];
  for (const [name, get] of fields) {
    if (get(s.summary) !== get(ref.summary)) throw new MergeInputError(s.file, `not the same campaign as ${ref.file}: ${name} ${String(get(s.summary))} against ${String(get(ref.summary))}`);
  }
}

/** Every batch a shard lists must be one of its share of the plan, with the plan's seed, and its runs must add up to the summary's. */
function checkBatches(file: string, s: FuzzSummary): void {
  const planned = s.campaign.runs === null ? Infinity : Math.ceil(s.campaign.runs / RUNS_PER_BATCH);
  for (const b of s.batches) {
    if (b.index % s.shard.count !== s.shard.index - 1 || b.index >= planned) throw new MergeInputError(file, `batch ${b.index} is not one of shard ${s.shard.index}/${s.shard.count}'s`);
    if (b.seed !== batchSeed(s.seed, b.index)) throw new MergeInputError(file, `batch ${b.index} has seed ${b.seed}, but master seed ${s.seed} gives it ${batchSeed(s.seed, b.index)}`);
  }
  const batchRuns = sum(s.batches.map((b) => b.runs));
  if (batchRuns !== s.runs) throw new MergeInputError(file, `its batches add up to ${batchRuns} runs, but it counts ${s.runs}`);
}

/** The plan's batches of the present shards that no shard ran (null for a time budget, which has no end). */
function notRun(totalRuns: number | null, count: number, presentShards: number[], batches: readonly BatchRecord[]): number[] | null {
  if (totalRuns === null) return null;
  const ran = new Set(batches.map((b) => b.index));
  const present = new Set(presentShards.map((i) => i - 1));
  return Array.from({ length: Math.ceil(totalRuns / RUNS_PER_BATCH) }, (_, b) => b).filter((b) => present.has(b % count) && !ran.has(b));
}

/** The case file a summary lists, found by name among the merged files (preferring the summary's own folder). */
function resolveCase(summaryFile: string, listed: string, casesByName: ReadonlyMap<string, string[]>): string {
  const candidates = casesByName.get(basename(listed)) ?? [];
  const own = candidates.find((c) => c.startsWith(dirname(summaryFile) + sep));
  const found = own ?? candidates[0];
  if (found === undefined) throw new MergeInputError(summaryFile, `lists the case ${basename(listed)}, which is not in the folders given`);
  return found;
}

function checkCase(file: string, c: { engine: { name: string; mutants: string[] }; seed: { campaign: number } }, ref: FuzzSummary): void {
  if (c.engine.name !== ref.engine || canonical([...c.engine.mutants].sort()) !== canonical([...ref.campaign.mutants].sort()) || c.seed.campaign !== ref.seed) {
    throw new MergeInputError(file, `a case of another campaign (${c.engine.name}${c.engine.mutants.map((m) => ` --mutant ${m}`).join('')}, seed ${c.seed.campaign}), not of ${ref.engine}${ref.campaign.mutants.map((m) => ` --mutant ${m}`).join('')}, seed ${ref.seed}`);
  }
}
