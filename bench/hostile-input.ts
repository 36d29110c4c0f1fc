/**
 * Benchmark: how long `crashcow check` takes on hostile input (npm run bench:hostile-input). The
 * cases are the hostile-input property's (properties/hostile-cases.ts, images made by qemu-img):
 * seeded mutations of four small real images, header fields past named limits, sparse sources too
 * big to count, an L1 table that repeats one L2 table 8192 times, and a snapshot L1 table far past
 * the end of the file. Prints the wall time of each (the median of BENCH_ROUNDS rounds, default 5)
 * against its goal: a check of a small hostile image ends within 2 s, and a limit is hit within
 * 0.5 s, before anything is sized from the field. BENCH_MUTATIONS sets the mutated images (300).
 * The property asserts what each case gives; only this file says how fast.
 */
import fc from 'fast-check';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { bytesSource, type ByteSource } from '../spec/format/byte-source.js';
import { checkOrFormatError, farSnapshotL1, headerLimitCases, makeHostileOriginals, poked, repeatedL2, sparseCases, sparseSource } from '../properties/hostile-cases.js';
import { mutate, mutationArb } from '../properties/hostile-mutations.js';
import { tempDir } from '../test/helpers/qemu.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MUTATIONS = Number(process.env.BENCH_MUTATIONS ?? 300);
/** The property's default seed: the mutated images are drawn the way the property draws them. */
const SEED = 20240601;
const GOAL_MUTATED_MS = 2000;
const GOAL_LIMIT_MS = 500;

/** Median wall time of checking `source`, in ms, over ROUNDS rounds. */
function medianCheckMs(source: () => ByteSource): number {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s = source();
    const t0 = performance.now();
    checkOrFormatError(s);
    times.push(performance.now() - t0);
  }
  return quantile(times, 0.5);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function line(name: string, ms: number, goalMs: number): string {
  return `${name.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms   goal < ${goalMs} ms   ${ms < goalMs ? 'ok' : 'OVER'}`;
}

async function main(): Promise<void> {
  const tmp = tempDir('crashcow-bench-hostile-');
  try {
    const originals = await makeHostileOriginals((name) => tmp.path(name));
    console.log(`hostile input: ${ROUNDS} rounds per case, load average ${loadavg()[0].toFixed(2)}`);

    const samples = fc.sample(fc.tuple(fc.nat({ max: 3 }), mutationArb), { seed: SEED, numRuns: MUTATIONS });
    const mutatedMs: number[] = [];
    for (const [which, m] of samples) {
      const bytes = mutate(originals[which], m);
      const t0 = performance.now();
      checkOrFormatError(bytesSource(bytes));
      mutatedMs.push(performance.now() - t0);
    }
    const worst = Math.max(...mutatedMs);
    console.log(`\n${MUTATIONS} mutated images (seed ${SEED}): median ${quantile(mutatedMs, 0.5).toFixed(2)} ms, p99 ${quantile(mutatedMs, 0.99).toFixed(1)} ms`);
    console.log(line('slowest mutated image', worst, GOAL_MUTATED_MS));

    console.log('\nnamed limits');
    for (const [name, poke] of headerLimitCases) console.log(line(name, medianCheckMs(() => bytesSource(poked(originals, poke))), GOAL_LIMIT_MS));
    for (const [sizeBytes, rule] of sparseCases) console.log(line(`sparse ${sizeBytes} bytes (${rule})`, medianCheckMs(() => sparseSource(originals, sizeBytes)), GOAL_LIMIT_MS));
    const repeated = repeatedL2(originals);
    console.log(line('L1 repeating one L2 table 8192 times (scan budget)', medianCheckMs(() => bytesSource(repeated)), GOAL_MUTATED_MS));
    const far = farSnapshotL1(originals);
    console.log(line('snapshot L1 table of 4 M entries past the end', medianCheckMs(() => bytesSource(far)), GOAL_LIMIT_MS));
  } finally {
    tmp.cleanup();
  }
}

await main();
