/**
 * `crashcow merge DIR...`: joins the outputs of a campaign's shards (their `fuzz --summary` files
 * and saved cases, in one folder or one per shard) into one summary, human or JSON
 * (spec/schemas/merge-summary.schema.json); with --into, copies each distinct finding's case
 * into one folder that `crashcow replay` and `fuzz --known` read. Thin: readShardOutputs and
 * mergeShards do the work. Exit 0: every shard present, no finding; 1: findings; 2: a usage
 * mistake, input that is not one campaign's shards (naming the file), or shards missing.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readCase, writeCase } from '../../fuzz/case/fuzz-case.js';
import { RUNS_PER_BATCH } from '../../fuzz/campaign/campaign-plan.js';
import { isMergeInputError, MergeInputError } from '../../fuzz/campaign/merge-input-error.js';
import { mergeShards, type MergedSummary } from '../../fuzz/campaign/merge-shards.js';
import { readShardOutputs } from '../../fuzz/campaign/shard-outputs.js';
import { describeCoverage } from '../../fuzz/coverage/describe-coverage.js';
import type { Command } from '../command.js';
import { flagChoice, flagValue, parseArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

const USAGE = 'crashcow merge [--output human|json] [--into DIR] DIR...';

export const mergeCommand: Command = {
  name: 'merge',
  summary: "joins the summaries and saved cases of a campaign's shards into one summary",
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, [
      { name: 'output', takesValue: true },
      { name: 'into', takesValue: true },
    ]);
    const output = flagChoice(args, 'output', ['human', 'json'] as const, 'human');
    const into = flagValue(args, 'into');
    if (args.positionals.length === 0) throw new UsageError("give the folders (or summary and case files) of the campaign's shards");
    let merged: MergedSummary;
    try {
      merged = mergeShards(readShardOutputs(args.positionals));
      if (into !== undefined) merged = copyCases(merged, into);
    } catch (err) {
      if (!isMergeInputError(err)) throw err;
      process.stderr.write(`crashcow merge: ${err.message}\n`);
      return 2;
    }
    process.stdout.write(output === 'json' ? JSON.stringify(merged) + '\n' : humanMerge(merged));
    if (merged.missingShards.length > 0) {
      process.stderr.write(`crashcow merge: no summary of shard(s) ${merged.missingShards.join(', ')} of ${merged.shardCount}: the campaign is incomplete\n`);
      return 2;
    }
    return merged.findings.length > 0 ? 1 : 0;
  },
};

/** `m` with each finding's case copied into `dir` (its replay line naming the copy). @throws MergeInputError when a case cannot be written */
function copyCases(m: MergedSummary, dir: string): MergedSummary {
  const findings = m.findings.map((f) => {
    const dest = join(dir, basename(f.caseFile));
    try {
      mkdirSync(dir, { recursive: true });
      writeCase(dest, { ...readCase(f.caseFile), replay: `crashcow replay ${dest}` });
    } catch (err) {
      throw new MergeInputError(dest, `--into ${dir}: cannot write the case: ${(err as Error).message}`);
    }
    return { ...f, caseFile: dest };
  });
  return { ...m, findings };
}

function humanMerge(m: MergedSummary): string {
  const budget = m.campaign.runs !== null ? `${m.campaign.runs} runs` : `${m.campaign.timeSeconds} s per shard`;
  const planned = m.campaign.runs === null ? null : Math.ceil(m.campaign.runs / RUNS_PER_BATCH);
  const found = m.findings.reduce((n, f) => n + 1 + f.alsoFoundBy.length, 0);
  const lines = [
    `campaign: ${m.engine} (${m.engineVersion}), seed ${m.seed}, ${budget}, ${m.shardCount} shard(s): ${m.shards.length} present${m.missingShards.length > 0 ? `, MISSING ${m.missingShards.join(', ')}` : ''}`,
    ...m.shards.map((s) => `  shard ${s.index}/${m.shardCount} (from ${s.source}): runs ${s.runs}, crash states ${s.crashStates}, findings ${s.findings}, ${s.elapsedSeconds.toFixed(1)} s  ${s.file}`),
    `runs: ${m.runs}, crash states: ${m.crashStates} (${m.statesPerSecond} states/s together), runs repeating a finding: ${m.knownRepeats}, time: ${m.elapsedSeconds.total.toFixed(1)} s over all shards, ${m.elapsedSeconds.longest.toFixed(1)} s the longest`,
    ...(m.coverage ? describeCoverage(m.coverage) : []),
    `batches: ${m.batches.length} run${planned === null ? '' : ` of ${planned} planned`}${m.batchesNotRun && m.batchesNotRun.length > 0 ? `; not run: ${m.batchesNotRun.join(', ')}` : ''}${stoppedOf(m)}`,
    m.findings.length === 0 ? 'findings: none' : `findings: ${m.findings.length}${found > m.findings.length ? ` (found ${found} times across shards)` : ''}`,
    ...m.findings.map((f) => `  ${f.property} [${f.rules.join(', ')}] shard ${f.shard}${f.alsoFoundBy.length > 0 ? `, also shard(s) ${f.alsoFoundBy.map((a) => a.shard).join(', ')}` : ''}\n    ${f.caseFile}  (replay: crashcow replay ${f.caseFile})`),
    ...(m.unlistedCases.length > 0 ? [`case files no summary lists (left out): ${m.unlistedCases.join(' ')}`] : []),
  ];
  return lines.join('\n') + '\n';
}

function stoppedOf(m: MergedSummary): string {
  const stopped = m.batches.filter((b) => b.ended === 'stopped').map((b) => b.index);
  return stopped.length > 0 ? `; cut short by a stop: ${stopped.join(', ')}` : '';
}
