/**
 * Benchmark of `crashcow check` against `qemu-img check` (npm run bench:check).
 *
 * Makes two images in a temp dir: a 1 TiB image with preallocation=metadata (16 M clusters of
 * 64 KiB), and a 4 GiB image with 4 KiB clusters holding 100k+ scattered clusters (160k writes), one in eight
 * compressed, across two internal snapshots (written through qemu-io with cache=unsafe). Then runs the compiled
 * crashcow CLI and qemu-img check alternately, several rounds each, and prints the median wall
 * times, their ratio and the peak RSS of each (from /usr/bin/time -v, or from the child itself).
 * Goal: crashcow at most 0.5x qemu-img's time and at most 400 MiB peak RSS.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const core = fileURLToPath(new URL('./check-core.js', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const timeBin = '/usr/bin/time';
const GOAL_RATIO = 0.5;
const GOAL_RSS_MIB = 400;

interface Run {
  ms: number;
  /** User + system CPU time, in ms (NaN without /usr/bin/time). */
  cpuMs: number;
  rssMiB: number;
  exitCode: number;
  json: Record<string, unknown>;
}

/** Runs a command, timing it and reading its peak RSS. */
async function measure(cmd: string, args: string[]): Promise<Run> {
  const useTime = existsSync(timeBin);
  const t0 = performance.now();
  const r = useTime
    ? await execa(timeBin, ['-v', cmd, ...args], { reject: false, maxBuffer: 1e9 })
    : await execa(cmd, args, { reject: false, maxBuffer: 1e9, env: { NODE_OPTIONS: '--import=data:text/javascript,process.on("exit",()=>process.stderr.write("Maximum resident set size (kbytes): "+process.resourceUsage().maxRSS+"\\n"))' } });
  const ms = performance.now() - t0;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const cpuMs = user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : NaN;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    /* no JSON: the check could not run */
  }
  return { ms, cpuMs, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, exitCode: r.exitCode ?? -1, json };
}

async function sh(cmd: string, args: string[], input?: string): Promise<void> {
  const r = await execa(cmd, args, { reject: false, input });
  if (r.exitCode !== 0 || /error|failed/i.test(r.stdout)) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}${r.stdout.slice(-500)}`);
}

/** 1 TiB, preallocation=metadata: 16 M allocated clusters, 2048 full L2 tables. */
async function makeBig(dir: string): Promise<string> {
  const path = join(dir, 'prealloc-1t.qcow2');
  await sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'preallocation=metadata', path, '1T']);
  return path;
}

/**
 * qemu-io commands writing `count` 4 KiB clusters scattered over 2^20 guest clusters; with
 * `compressed`, every 8th one compressed (QEMU compresses only into unallocated clusters).
 */
function scatteredWrites(count: number, first: number, stride: number, compressed: boolean): string {
  const lines: string[] = [];
  for (let i = first; i < first + count; i++) {
    const cluster = (i * stride) % 2 ** 20;
    lines.push(`write ${compressed && i % 8 === 0 ? '-c ' : ''}-P ${i % 251} ${cluster * 4096} 4k`);
  }
  return lines.join('\n') + '\nquit\n';
}

/** 4 GiB of 4 KiB clusters: 160k scattered writes (1/8 compressed) across two snapshots. */
async function makeScattered(dir: string): Promise<string> {
  const path = join(dir, 'scattered.qcow2');
  await sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', path, '4G']);
  const io = (script: string) => sh('qemu-io', ['-t', 'unsafe', '-f', 'qcow2', path], script);
  await io(scatteredWrites(70_000, 0, 7919, true));
  await sh('qemu-img', ['snapshot', '-c', 's1', path]);
  await io(scatteredWrites(40_000, 30_000, 7919, false));
  await sh('qemu-img', ['snapshot', '-c', 's2', path]);
  await io(scatteredWrites(50_000, 0, 104_729, false));
  return path;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(name: string, path: string): Promise<boolean> {
  const ours: Run[] = [];
  const theirs: Run[] = [];
  const coreRuns: Run[] = [];
  await measure(process.execPath, [cli, 'check', '--output', 'json', path]); // warm the page cache
  await measure('qemu-img', ['check', '--output=json', path]);
  for (let i = 0; i < rounds; i++) {
    ours.push(await measure(process.execPath, [cli, 'check', '--output', 'json', path]));
    theirs.push(await measure('qemu-img', ['check', '--output=json', path]));
    coreRuns.push(await measure(process.execPath, [core, path]));
  }
  const same = ours.every((r) => r.exitCode === theirs[0].exitCode) && ['allocated-clusters', 'fragmented-clusters', 'compressed-clusters', 'image-end-offset'].every((k) => ours[0].json[k] === (theirs[0].json[k] ?? 0));
  const a = median(ours.map((r) => r.ms));
  const b = median(theirs.map((r) => r.ms));
  const cpuA = median(ours.map((r) => r.cpuMs));
  const cpuB = median(theirs.map((r) => r.cpuMs));
  const rss = Math.max(...ours.map((r) => r.rssMiB));
  const qemuRss = Math.max(...theirs.map((r) => r.rssMiB));
  const ok = a / b <= GOAL_RATIO && rss <= GOAL_RSS_MIB;
  const sizeMiB = statSync(path).blocks * 512 / 2 ** 20;
  process.stdout.write(
    `${name}\n` +
      `  image: ${path} (${sizeMiB.toFixed(0)} MiB on disk), allocated clusters ${ours[0].json['allocated-clusters']}, compressed ${ours[0].json['compressed-clusters']}, fragmented ${ours[0].json['fragmented-clusters']}\n` +
      `  crashcow check: median ${a.toFixed(0)} ms over ${rounds} runs [${ours.map((r) => r.ms.toFixed(0)).join(', ')}], peak RSS ${rss.toFixed(0)} MiB\n` +
      `  qemu-img check: median ${b.toFixed(0)} ms over ${rounds} runs [${theirs.map((r) => r.ms.toFixed(0)).join(', ')}], peak RSS ${qemuRss.toFixed(0)} MiB\n` +
      `  the checker alone (node + src/check, without the CLI's command registry): median ${median(coreRuns.map((r) => r.ms)).toFixed(0)} ms, ${(median(coreRuns.map((r) => r.ms)) / b).toFixed(2)}x qemu-img; CPU ${median(coreRuns.map((r) => r.cpuMs)).toFixed(0)} ms\n` +
      `  CPU (user + system): crashcow ${cpuA.toFixed(0)} ms, qemu-img ${cpuB.toFixed(0)} ms, ratio ${(cpuA / cpuB).toFixed(2)}x\n` +
      `  ratio crashcow/qemu-img (wall): ${(a / b).toFixed(2)}x (goal <= ${GOAL_RATIO}x), RSS goal <= ${GOAL_RSS_MIB} MiB: ${ok ? 'met' : 'MISSED'}; same verdict and counters: ${same ? 'yes' : 'NO'}\n` +
      `  machine load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs\n\n`,
  );
  return ok && same;
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'crashcow-bench-check-'));
  try {
    process.stdout.write(`bench:check in ${dir} (${existsSync(timeBin) ? 'RSS from /usr/bin/time -v' : 'RSS reported by the child'})\n\n`);
    writeFileSync(join(dir, 'README'), 'crashcow bench:check scratch images; removed at the end of the run\n');
    const big = await makeBig(dir);
    const okBig = await bench('1 TiB, preallocation=metadata (16 M clusters of 64 KiB)', big);
    rmSync(big);
    const okScattered = await bench('4 GiB of 4 KiB clusters: 160k scattered writes, 1/8 compressed, 2 snapshots', await makeScattered(dir));
    return okBig && okScattered ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:check failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
