/**
 * Benchmark of the built-in engine against qemu-io (npm run bench:engine).
 *
 * Two workloads on a fresh 1 GiB image with 64 KiB clusters: 4 KiB writes at seeded random 4 KiB
 * offsets, and 64 KiB sequential writes. crashcow runs in process on the in-memory device (and, for
 * information, on a tmpfs file); qemu-io runs with -t writeback on /dev/shm, fed the same writes as a
 * script on stdin (`write -q OFF LEN`, qemu-io's default pattern 0xcd on both sides). qemu-io's
 * process start + open + close is measured separately (an empty script on a fresh image) and
 * subtracted; both raw and adjusted figures are printed. Image creation is untimed on both sides.
 * Each figure is the median of BENCH_ROUNDS runs; afterwards the two images are compared with
 * `qemu-img compare` and crashcow's is checked with `qemu-img check`. Goal: ratio >= 0.5.
 * The QEMU build is CRASHCOW_QEMU_DIR's, else the one on PATH, as for crashcow itself.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BuiltinEngine } from '../src/engine/builtin/builtin-engine.js';
import type { BuiltinImage } from '../src/engine/builtin/builtin-image.js';
import type { ImageTarget } from '../src/engine/engine.js';
import { resolveQemuBinaries, type QemuBinaries } from '../src/engine/qemu/qemu-binaries.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { Prng } from '../src/storage/prng.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VIRTUAL_BYTES = 1 << 30;
const SEED = 0xbe4c;
const GOAL_RATIO = 0.5;
const PATTERN = 0xcd;

interface Workload {
  name: string;
  lengthBytes: number;
  offsets: number[];
}

function workloads(): Workload[] {
  const randomOps = Number(process.env.BENCH_OPS_RANDOM ?? 20000);
  const seqOps = Number(process.env.BENCH_OPS_SEQ ?? 8192);
  const prng = new Prng(SEED);
  const random = Array.from({ length: randomOps }, () => (prng.nextU32() % (VIRTUAL_BYTES / 4096)) * 4096);
  const seq = Array.from({ length: seqOps }, (_, i) => (i * 65536) % VIRTUAL_BYTES);
  return [
    { name: '4 KiB random writes', lengthBytes: 4096, offsets: random },
    { name: '64 KiB sequential writes', lengthBytes: 65536, offsets: seq },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Open, all writes, close on the built-in engine; returns milliseconds. */
async function crashcowRun(w: Workload, target: () => ImageTarget): Promise<{ ms: number; device?: MemoryDevice }> {
  const engine = new BuiltinEngine();
  const t = target();
  await engine.create(t, { virtualSizeBytes: VIRTUAL_BYTES });
  const data = new Uint8Array(w.lengthBytes).fill(PATTERN);
  const t0 = performance.now();
  const image = (await engine.open(t, { cacheMode: 'writeback' })) as BuiltinImage;
  for (const off of w.offsets) await image.write(off, data);
  await image.close();
  const ms = performance.now() - t0;
  return 'device' in t ? { ms, device: t.device as MemoryDevice } : { ms };
}

/** The QEMU build measured; set once in main(). */
let qemu: QemuBinaries;

async function qemuCreate(path: string): Promise<void> {
  const r = await execa(qemu.img, ['create', '-q', '-f', 'qcow2', path, String(VIRTUAL_BYTES)], { reject: false });
  if (r.exitCode !== 0) throw new Error(`qemu-img create failed: ${r.stderr}`);
}

/** qemu-io -t writeback fed `script` on stdin, on a fresh image; returns milliseconds. */
async function qemuRun(path: string, script: string): Promise<number> {
  rmSync(path, { force: true });
  await qemuCreate(path);
  const t0 = performance.now();
  const r = await execa(qemu.io, ['-f', 'qcow2', '-t', 'writeback', path], { input: script, reject: false, maxBuffer: 1e9 });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0 || /failed/.test(r.stdout)) throw new Error(`qemu-io failed: ${r.stdout.slice(-500)} ${r.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(shm, 'crashcow-bench-'));
  qemu = await resolveQemuBinaries();
  const version = qemu.versionLine;
  console.log(`bench:engine  ${new BuiltinEngine().engineVersion} vs ${version}; 1 GiB image, 64 KiB clusters, cache=writeback, ${ROUNDS} rounds (median), temp ${dir}`);
  try {
    const startMs = median(await Promise.all([0].map(() => 0)).then(async () => {
      const xs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) xs.push(await qemuRun(join(dir, 'empty.qcow2'), ''));
      return xs;
    }));
    console.log(`qemu-io process start + open + close (empty script): ${startMs.toFixed(1)} ms (subtracted below)\n`);
    let worst = Infinity;
    for (const w of workloads()) worst = Math.min(worst, await benchWorkload(w, dir, startMs));
    console.log(`\nworst ratio crashcow/qemu-io: ${worst.toFixed(2)}x  (goal >= ${GOAL_RATIO}x: ${worst >= GOAL_RATIO ? 'met' : 'NOT met'})`);
    process.exitCode = worst >= GOAL_RATIO ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one workload on all sides, prints a line, returns crashcow/qemu-io (adjusted). */
async function benchWorkload(w: Workload, dir: string, startMs: number): Promise<number> {
  const n = w.offsets.length;
  const script = w.offsets.map((o) => `write -q ${o} ${w.lengthBytes}`).join('\n') + '\n';
  const mem: number[] = [];
  const file: number[] = [];
  const qemu: number[] = [];
  let lastDevice: MemoryDevice | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const m = await crashcowRun(w, () => ({ device: new MemoryDevice() }));
    mem.push(m.ms);
    lastDevice = m.device;
    const filePath = join(dir, 'cc-file.qcow2');
    file.push((await crashcowRun(w, () => ({ path: filePath }))).ms);
    qemu.push(await qemuRun(join(dir, 'qemu.qcow2'), script));
  }
  const iops = (ms: number) => n / (ms / 1000);
  const qemuAdjustedMs = Math.max(1, median(qemu) - startMs);
  const ratio = iops(median(mem)) / iops(qemuAdjustedMs);
  console.log(`${w.name} (${n} ops of ${w.lengthBytes} B)`);
  console.log(`  crashcow, in-memory device : ${iops(median(mem)).toFixed(0).padStart(9)} IOPS  (${median(mem).toFixed(1)} ms)`);
  console.log(`  crashcow, tmpfs file       : ${iops(median(file)).toFixed(0).padStart(9)} IOPS  (${median(file).toFixed(1)} ms)`);
  console.log(`  qemu-io, tmpfs, raw        : ${iops(median(qemu)).toFixed(0).padStart(9)} IOPS  (${median(qemu).toFixed(1)} ms incl. start)`);
  console.log(`  qemu-io, tmpfs, start excl.: ${iops(qemuAdjustedMs).toFixed(0).padStart(9)} IOPS  (${qemuAdjustedMs.toFixed(1)} ms)`);
  console.log(`  ratio crashcow(memory) / qemu-io(start excluded): ${ratio.toFixed(2)}x`);
  await verify(dir, lastDevice);
  return ratio;
}

/** The last in-memory image must equal QEMU's and pass qemu-img check (untimed). */
async function verify(dir: string, device: MemoryDevice | undefined): Promise<void> {
  if (!device) return;
  const path = join(dir, 'cc-mem.qcow2');
  writeFileSync(path, device.read(0, device.sizeBytes));
  const cmp = await execa(qemu.img, ['compare', '-f', 'qcow2', '-F', 'qcow2', path, join(dir, 'qemu.qcow2')], { reject: false });
  const chk = await execa(qemu.img, ['check', path], { reject: false });
  console.log(`  verify: qemu-img compare ${cmp.exitCode === 0 ? 'identical' : `DIFFERS (${cmp.stdout})`}, qemu-img check ${chk.exitCode === 0 ? 'clean' : `FAILED (${chk.stdout})`}`);
  if (cmp.exitCode !== 0 || chk.exitCode !== 0) process.exitCode = 1;
}

void main();
