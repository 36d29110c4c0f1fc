/**
 * Benchmark: crash states generated and materialized per second on a 16 MiB image with 100-write
 * flush epochs (goal: at least 20,000 states/s on one core). "Materialized" means each state is
 * read through its overlay: a writable device is made over it and the header sector plus three
 * 4 KiB blocks the epoch wrote are read (into reused buffers with readInto; a second pass reads
 * with read(), which allocates each result, to show that cost too). Run with
 * `npm run bench:crash-states`; BENCH_STATES sets the states per crash point.
 */
import { performance } from 'node:perf_hooks';
import { readIntoFrom, type BlockDevice } from '../src/storage/block-device.js';
import { CrashPlan } from '../src/storage/crash-states/crash-plan.js';
import { CowDevice } from '../src/storage/cow-device.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { Prng } from '../src/storage/prng.js';
import { RecordingDevice } from '../src/storage/recording-device.js';

const IMAGE_BYTES = 16 * 1024 * 1024;
const EPOCHS = 8;
const WRITES_PER_EPOCH = 100;
const STATES_PER_CRASH_POINT = Number(process.env.BENCH_STATES ?? 20_000);
const GOAL_STATES_PER_SECOND = 20_000;

/** A 16 MiB image with non-zero content, and a recording of EPOCHS flush epochs of 100 writes. */
function workload(prng: Prng): { base: MemoryDevice; rec: RecordingDevice } {
  const base = new MemoryDevice(IMAGE_BYTES);
  for (let at = 0; at < IMAGE_BYTES; at += 64 * 1024) base.write(at, new Uint8Array(64 * 1024).fill(1 + (at >> 16) % 255));
  const rec = new RecordingDevice(new CowDevice(base));
  const sizes = [512, 512, 4096, 4096, 8192, 65536];
  for (let e = 0; e < EPOCHS; e++) {
    for (let w = 0; w < WRITES_PER_EPOCH; w++) {
      const lengthBytes = prng.pick(sizes);
      const offsetBytes = prng.int((IMAGE_BYTES - lengthBytes) / 512) * 512;
      rec.write(offsetBytes, new Uint8Array(lengthBytes).fill(prng.int(256)));
    }
    rec.flush();
  }
  return { base, rec };
}

/**
 * Generates and materializes the states of every pre-flush crash point. Timed by wall clock and by
 * the process's CPU time (user + system), which is what "on one core" means on a busy machine.
 */
function run(allocate: boolean): { states: number; wallSeconds: number; cpuSeconds: number; checksum: number; touched: number; points: number } {
  const { base, rec } = workload(new Prng(2024));
  const plan = new CrashPlan(base, rec.ops, { seed: 1 });
  const points = plan.crashPoints().filter((k) => k < rec.ops.length);
  const header = new Uint8Array(512);
  const block = new Uint8Array(4096);
  const readHeader = (dev: BlockDevice): number => (allocate ? dev.read(0, 512)[0] : (readIntoFrom(dev, 0, header), header[0]));
  const readBlock = (dev: BlockDevice, at: number): number => (allocate ? dev.read(at, 4096)[7] : (readIntoFrom(dev, at, block), block[7]));
  let states = 0;
  let checksum = 0;
  const startCpu = process.cpuUsage();
  const start = performance.now();
  for (const k of points) {
    const model = plan.model(k);
    const probes = [0, 1, 2].map((i) => model.touched.sectors[Math.floor(((i + 1) * model.touched.count) / 4)] * 512);
    for (const state of plan.statesAt(k, STATES_PER_CRASH_POINT)) {
      const dev = state.device();
      checksum += readHeader(dev);
      for (const at of probes) checksum += readBlock(dev, at);
      states++;
    }
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(startCpu);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { states, wallSeconds, cpuSeconds, checksum, touched: plan.model(points[0]).touched.count, points: points.length };
}

function main(): void {
  const fast = run(false);
  const rate = Math.round(fast.states / fast.cpuSeconds);
  const allocating = run(true);
  process.stdout.write(
    `crash-states benchmark: 16 MiB image, ${EPOCHS} epochs of ${WRITES_PER_EPOCH} writes (~${fast.touched} touched sectors per epoch), ${fast.points} crash points\n` +
      `${fast.states} states generated and materialized in ${fast.cpuSeconds.toFixed(2)} s of CPU (${fast.wallSeconds.toFixed(2)} s wall): ` +
      `${rate} states/s on one core (goal >= ${GOAL_STATES_PER_SECOND}: ${rate >= GOAL_STATES_PER_SECOND ? 'met' : 'NOT met'}; checksum ${fast.checksum})\n` +
      `same run reading with read() (a fresh array per read): ${Math.round(allocating.states / allocating.cpuSeconds)} states/s\n`,
  );
}

main();
