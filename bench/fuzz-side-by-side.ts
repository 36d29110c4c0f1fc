/**
 * Side-by-side fuzz throughput: this checkout against another built checkout of crashcow (say, the
 * commit before a change), run as the CLI a user runs, alternating between the two so that the
 * machine's drift weighs on both alike. Each row is one campaign shape on one engine; each
 * measurement is `crashcow fuzz --seed 1 --time S --jobs 2 --known corpus --output json`, whose
 * states/s it reads. `--known corpus` passes over the QEMU defects a campaign meets in its first
 * minutes, so that neither side spends its window shrinking them.
 *
 * Used by bench/fuzz.ts when BENCH_BASELINE names the other checkout (it must hold dist/, built by
 * `npm run build` there); BENCH_ROUNDS sets the measurements per side and row (default 2).
 * BENCH_JUDGE=full|incremental passes `--judge` to this checkout only (a checkout from before the
 * flag has no such choice): `full` measures what the judge refactoring costs the full check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Row {
  engine: 'builtin' | 'qemu';
  lazy: 'off' | 'random';
}

const ROWS: readonly Row[] = [
  { engine: 'builtin', lazy: 'off' },
  { engine: 'builtin', lazy: 'random' },
  { engine: 'qemu', lazy: 'off' },
  { engine: 'qemu', lazy: 'random' },
];

/** The project root of this checkout (bench/ is compiled to dist/bench/). */
const HERE = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The CLI entry point of a built checkout. @throws Error naming the path when it is not built */
function cliOf(checkout: string): string {
  const main = join(checkout, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run 'npm run build' in ${checkout} first`);
  return main;
}

/** One campaign through a checkout's CLI; its states/s as its JSON summary says. */
function statesPerSecond(cli: string, row: Row, seconds: number, corpusDir: string, extra: readonly string[] = []): number {
  // Each checkout knows its own corpus: an older one cannot read cases of fields it does not have.
  const corpus = join(dirname(dirname(dirname(dirname(cli)))), 'corpus');
  const args = [cli, 'fuzz', '--engine', row.engine, '--seed', '1', '--time', String(seconds), '--jobs', '2', '--lazy-refcounts', row.lazy, '--known', corpus, '--corpus', corpusDir, '--output', 'json', ...extra];
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    // Exit 1 means findings were saved; the summary is still on stdout.
    const e = err as { status?: number; stdout?: string };
    if (e.status !== 1 || !e.stdout) throw err;
    stdout = e.stdout;
  }
  return (JSON.parse(stdout) as { statesPerSecond: number }).statesPerSecond;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Runs every row on both checkouts, alternating, and prints each measurement and the ratio of the means. */
export function sideBySide(baseline: string, seconds: number, rounds: number): void {
  const theirs = cliOf(resolve(baseline));
  const ours = cliOf(HERE);
  const judge = process.env.BENCH_JUDGE;
  if (judge !== undefined && judge !== 'full' && judge !== 'incremental') throw new Error(`BENCH_JUDGE must be full or incremental, got ${judge}`);
  const oursExtra = judge === undefined ? [] : ['--judge', judge];
  const dir = mkdtempSync(join(tmpdir(), 'crashcow-bench-side-'));
  console.log(`\nside by side: this checkout (${HERE}${judge ? `, --judge ${judge}` : ''}) against ${resolve(baseline)}, ${seconds} s per campaign, ${rounds} round(s), alternating`);
  try {
    for (const row of ROWS) {
      const got = { baseline: [] as number[], this: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        // Alternate which side goes first, so neither always runs on a warmer or cooler machine.
        const order: Array<'baseline' | 'this'> = round % 2 === 0 ? ['baseline', 'this'] : ['this', 'baseline'];
        for (const side of order) got[side].push(statesPerSecond(side === 'this' ? ours : theirs, row, seconds, join(dir, `${side}-${row.engine}-${row.lazy}-${round}`), side === 'this' ? oursExtra : []));
      }
      const ratio = mean(got.this) / mean(got.baseline);
      console.log(`${row.engine.padEnd(8)} lazy ${row.lazy.padEnd(6)} baseline ${got.baseline.join(', ').padStart(14)} states/s · this ${got.this.join(', ').padStart(14)} states/s · this/baseline ${ratio.toFixed(2)}x`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
