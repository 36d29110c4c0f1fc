/**
 * The damage-repair table (`npm run bench:damage`): N damaged images of one seed, made the way
 * `crashcow fuzz --faults damage` makes them (a seeded workload on the built-in engine, a clean
 * close, then bit flips, zeroed sectors, lost and misdirected writes drawn by the damage nemesis),
 * each repaired by crashcow's `check -r all` and by `qemu-img check -r all` of every QEMU build
 * found, on the same bytes. A repair leaves an image clean when it exits 0, crashcow's second
 * check finds nothing, and the guest data rules hold (P7-3, P7-4). The other columns say what it
 * did instead: refused (exit 1, saying why), left findings (exit 2 or 3), claimed success over
 * findings (P7-1), changed guest data (P7-3, P7-4), crashed. Images have no backing file (the same
 * bytes go to every repair unchanged).
 *
 * BENCH_DAMAGE_IMAGES (default 200) and BENCH_DAMAGE_SEED (default 1); BENCH_QEMU_DIRS, a
 * colon-separated list of folders holding qemu-img and qemu-io (default: the one on PATH and each
 * .qemu/VERSION/usr/bin of this checkout).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { resolveQemuBinaries, type QemuBinaries } from '../src/engine/qemu/qemu-binaries.js';
import { commandListArb } from '../src/fuzz/commands/command-arbitrary.js';
import { imageOptionsArb } from '../src/fuzz/commands/image-options-arb.js';
import { drawDamages } from '../src/fuzz/damage/damage-nemesis.js';
import { damagedImage, judgeRepairRun, outcomeOf, type Damaged, type DamageJudgeContext } from '../src/fuzz/oracle/damage-judge.js';
import { FuzzRun, DAMAGES_PER_RUN } from '../src/fuzz/runner/fuzz-run.js';
import type { FuzzTarget, Repairer } from '../src/fuzz/target/fuzz-target.js';
import { makeTarget } from '../src/fuzz/target/make-target.js';

const IMAGES = Number(process.env.BENCH_DAMAGE_IMAGES ?? 200);
const SEED = Number(process.env.BENCH_DAMAGE_SEED ?? 1);
const MAX_COMMANDS = 16;

type Column = 'clean' | 'refused' | 'left findings' | 'success over findings' | 'guest data' | 'crashed';
const COLUMNS: Column[] = ['clean', 'refused', 'left findings', 'success over findings', 'guest data', 'crashed'];

interface DamagedCase {
  d: Damaged;
  ctx: Omit<DamageJudgeContext, 'target'>;
}

/** N damaged images from the seed: workloads drawn like a campaign's, each clean image damaged DAMAGES_PER_RUN ways. */
async function damagedImages(target: FuzzTarget): Promise<DamagedCase[]> {
  const out: DamagedCase[] = [];
  const arb = fc.tuple(imageOptionsArb({ growth: false }).map((o) => ({ ...o, backing: null })), fc.nat(0xffffffff), commandListArb(MAX_COMMANDS));
  for (let batch = 0; out.length < IMAGES; batch++) {
    for (const [options, contentSeed, cmds] of fc.sample(arb, { seed: SEED + batch, numRuns: 10 })) {
      const run = await FuzzRun.start({ target, options, seed: contentSeed, statesPerCrash: 1, judgeCrashes: false });
      await fc.asyncModelRun(() => ({ model: run, real: run }), cmds);
      await run.apply({ kind: 'reopen' });
      const clean = await run.cleanImage();
      await run.dispose();
      if (clean === null) continue;
      for (const damage of drawDamages(clean.image, clean.segment, contentSeed, DAMAGES_PER_RUN)) {
        if (out.length < IMAGES) out.push({ d: damagedImage(clean.image, damage, clean.exp), ctx: { backing: undefined, contentSeed } });
      }
    }
  }
  return out;
}

async function columnOf(c: DamagedCase, r: Repairer): Promise<Column> {
  const run = await r.repair(c.d.device);
  const exit = outcomeOf(run).exitCode;
  if (exit === null) return 'crashed';
  if (exit === 1) return 'refused';
  if (exit !== 0) return 'left findings';
  const v = judgeRepairRun({ ...c.ctx, target: null as unknown as FuzzTarget }, c.d, run, r.name, 'bench');
  if (v === null) return 'clean';
  return v.rules.includes('P7-1') ? 'success over findings' : 'guest data';
}

function qemuDirs(): string[] {
  if (process.env.BENCH_QEMU_DIRS) return process.env.BENCH_QEMU_DIRS.split(':').filter((d) => d !== '');
  const local = existsSync('.qemu') ? readdirSync('.qemu').map((v) => join('.qemu', v, 'usr', 'bin')).filter((d) => existsSync(join(d, 'qemu-img'))) : [];
  return ['', ...local];
}

async function main(): Promise<void> {
  const builtin = await makeTarget('builtin');
  const started = Date.now();
  const cases = await damagedImages(builtin);
  const kinds = new Map<string, number>();
  for (const c of cases) kinds.set(`${c.d.damage.kind} (${c.d.damage.target})`, (kinds.get(`${c.d.damage.kind} (${c.d.damage.target})`) ?? 0) + 1);
  process.stdout.write(`damage-repair table: ${cases.length} damaged images of seed ${SEED} (${((Date.now() - started) / 1000).toFixed(1)} s to make)\n`);
  process.stdout.write(`damages: ${[...kinds].sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n\n`);
  const rows: Array<{ name: string; counts: Record<Column, number> }> = [];
  const repairers: Array<{ name: string; r: Repairer; dispose?: () => Promise<void> }> = [{ name: 'crashcow check -r all', r: builtin.damageRepairers?.[0] ?? builtin.repairers[0] }];
  for (const dir of qemuDirs()) {
    let q: QemuBinaries;
    try {
      q = await resolveQemuBinaries(dir === '' ? null : dir);
    } catch (err) {
      process.stdout.write(`skipped ${dir || 'PATH'}: ${(err as Error).message}\n`);
      continue;
    }
    const target = await makeTarget('qemu', [], q);
    const version = /version (\S+)/.exec(q.versionLine)?.[1] ?? q.versionLine;
    repairers.push({ name: `qemu-img ${version} check -r all`, r: target.damageRepairers![0], dispose: () => target.dispose() });
  }
  for (const { name, r, dispose } of repairers) {
    const counts = Object.fromEntries(COLUMNS.map((c) => [c, 0])) as Record<Column, number>;
    for (const c of cases) counts[await columnOf(c, r)]++;
    rows.push({ name, counts });
    await dispose?.();
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`| ${'repair'.padEnd(width)} | ${COLUMNS.join(' | ')} |\n|${'-'.repeat(width + 2)}|${COLUMNS.map((c) => '-'.repeat(c.length + 2)).join('|')}|\n`);
  for (const row of rows) process.stdout.write(`| ${row.name.padEnd(width)} | ${COLUMNS.map((c) => String(row.counts[c]).padStart(c.length)).join(' | ')} |\n`);
}

await main();
