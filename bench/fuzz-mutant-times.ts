/**
 * Time to find each built-in mutant (`npm run bench:fuzz`, last section): for each mutant and each
 * of BENCH_MUTANT_SEEDS seeds (default 5: seeds 1 to 5), the seconds that
 * `crashcow fuzz --engine builtin --mutant NAME --seed S --max-findings 1` takes to save its first
 * finding, shrinking included (`--faults eio` for link-after-failed-write, the only faults that
 * reach it), with runs started within BENCH_MUTANT_SECONDS per seed (default 60; a run that fails
 * before the budget ends is still shrunk and saved, so a time may pass it), printed as a table
 * with the median. A finding that
 * the unmutated engine fails too (its case replays as failing without the mutant) is marked `*`:
 * it was found, but not because of the mutant. BENCH_MUTANTS (a comma list) picks mutants.
 */
import { join } from 'node:path';
import { mutantSpecs, type MutantName } from '../src/engine/mutants.js';
import { Campaign } from '../src/fuzz/campaign/campaign.js';
import { DEFAULT_MAX_COMMANDS, DEFAULT_STATES_PER_CRASH } from '../src/fuzz/campaign/campaign-settings.js';
import { readCase } from '../src/fuzz/case/fuzz-case.js';
import { replayCase } from '../src/fuzz/case/replay-case.js';
import { makeTarget } from '../src/fuzz/target/make-target.js';

interface Found {
  seconds: number;
  /** True when the unmutated engine fails the case too. */
  shared: boolean;
}

/** Seconds until the first saved finding of `mutant` on `seed`, or null within the budget. */
async function timeToFind(mutant: MutantName, seed: number, budgetSeconds: number, dir: string): Promise<Found | null> {
  const start = Date.now();
  let firstCase: string | null = null;
  let seconds = 0;
  await new Campaign(
    {
      engine: 'builtin',
      mutants: [mutant],
      plan: { masterSeed: seed, totalRuns: null, shardIndex: 0, shardCount: 1, jobCount: 1 },
      deadlineMs: start + budgetSeconds * 1000,
      fixed: {},
      statesPerCrash: DEFAULT_STATES_PER_CRASH,
      maxCommands: DEFAULT_MAX_COMMANDS,
      maxFindings: 1,
      ...(mutant === 'link-after-failed-write' ? { faults: 'eio' as const } : {}),
    },
    {
      corpusDir: join(dir, `${mutant}-${seed}`),
      onFinding: (f) => {
        if (firstCase !== null) return;
        firstCase = f.caseFile;
        seconds = (Date.now() - start) / 1000;
      },
    },
  ).run();
  if (firstCase === null) return null;
  const plain = await makeTarget('builtin');
  try {
    return { seconds, shared: (await replayCase(readCase(firstCase), plain)).reproduced };
  } finally {
    await plain.dispose();
  }
}

/** The median of the times, a seed without a finding counting as longer than any. */
function medianOf(found: ReadonlyArray<Found | null>): number | null {
  const times = found.map((f) => (f === null ? Infinity : f.seconds)).sort((a, b) => a - b);
  const mid = times.length % 2 === 1 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  return Number.isFinite(mid) ? mid : null;
}

/** Prints the table: one row per mutant, one column per seed, then the median. */
export async function mutantTimes(dir: string): Promise<void> {
  const budget = Number(process.env.BENCH_MUTANT_SECONDS ?? 60);
  const seedCount = Number(process.env.BENCH_MUTANT_SEEDS ?? 5);
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  const only = process.env.BENCH_MUTANTS?.split(',');
  console.log(`\ntime to find each mutant: crashcow fuzz --engine builtin --mutant NAME --seed S --max-findings 1, budget ${budget} s per seed, 1 job (seconds; - not found; * the unmutated engine fails the case too):`);
  console.log(`${'mutant'.padEnd(28)} ${seeds.map((s) => `seed ${s}`.padStart(8)).join(' ')}   median`);
  for (const m of mutantSpecs.filter((s) => !only || only.includes(s.name))) {
    const found: Array<Found | null> = [];
    for (const seed of seeds) found.push(await timeToFind(m.name, seed, budget, dir));
    const cells = found.map((f) => (f === null ? '-' : `${f.seconds.toFixed(1)}${f.shared ? '*' : ''}`).padStart(8));
    const median = medianOf(found);
    console.log(`${m.name.padEnd(28)} ${cells.join(' ')}   ${median === null ? `> ${budget}` : median.toFixed(1)}`);
  }
}
