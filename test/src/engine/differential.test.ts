/**
 * Differential tests against real QEMU, on every build the machine has (test/helpers/qemu-builds.ts):
 * random scripts run through that build's qemu-img / qemu-io and through crashcow's built-in engine
 * on images with the same options. Every crashcow image must pass `qemu-img check` (no errors, no
 * leaks), be identical to QEMU's under `qemu-img compare`, read the same under qemu-io `read -P`;
 * crashcow must read QEMU's image right; snapshots crashcow made must list and apply under
 * `qemu-img snapshot`. Budget: CRASHCOW_PROPERTY_RUNS (default 30) on the system's QEMU, a third of
 * it on each other build (the first scripts of the same seed), seed CRASHCOW_SEED.
 */
import fc from 'fast-check';
import { copyFileSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../src/engine/builtin/builtin-engine.js';
import { buildOrSkip, qemuBuilds } from '../../helpers/qemu-builds.js';
import { counter, qemuTools, tempDir, type QemuTools } from '../../helpers/qemu.js';
import { scenarioArb } from './differential/scenario-arbitrary.js';
import { describeScenario, type Scenario } from './differential/scenario.js';
import { makeBacking, runCrashcow, runQemu } from './differential/run-scenario.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 30);
/** Scripts run on each build after the first: the first RUNS_OTHER of the same seed's RUNS. */
const RUNS_OTHER = Math.max(1, Math.ceil(RUNS / 3));
const SEED = Number(process.env.CRASHCOW_SEED ?? 0x5eed2025);

async function checkScenario(qemu: QemuTools, s: Scenario): Promise<void> {
  const t = tempDir('crashcow-diff-');
  const why = (what: string) => `${what}\n--- scenario (seed ${SEED}, QEMU in ${qemu.dir ?? 'PATH'}) ---\n${describeScenario(s)}`;
  const { check: qemuCheck, img: qemuImg, imgOk: qemuImgOk } = qemu;
  try {
    await makeBacking(qemu, t.dir, s);
    const q = await runQemu(qemu, t.dir, 'qemu.qcow2', s);
    const c = await runCrashcow(t.dir, 'cc.qcow2', s);
    q.forEach((outcome, i) => expect(c[i], why(`step ${i} differs`)).toEqual(outcome));
    expect(q.flatMap((o) => o.lines).filter((l) => l.includes('Pattern verification failed')), why('the model expected other bytes')).toEqual([]);
    const check = await qemuCheck(t.path('cc.qcow2'));
    expect({ exit: check.exitCode, leaks: counter(check.json, 'leaks'), corruptions: counter(check.json, 'corruptions'), stderr: check.stderr }, why('qemu-img check')).toEqual({ exit: 0, leaks: 0, corruptions: 0, stderr: '' });
    const cmp = await qemuImg(['compare', '-f', 'qcow2', '-F', 'qcow2', t.path('cc.qcow2'), t.path('qemu.qcow2')]);
    expect(cmp.exitCode, why(`qemu-img compare: ${cmp.stdout}${cmp.stderr}`)).toBe(0);
    await qemuImgOk(['convert', '-f', 'qcow2', '-O', 'raw', t.path('qemu.qcow2'), t.path('qemu.raw')]);
    const truth = new Uint8Array(readFileSync(t.path('qemu.raw')));
    await expectCrashcowReads(t.path('qemu.qcow2'), truth, why);
    await expectQemuIoReads(qemu, t.path('cc.qcow2'), truth);
    await expectSnapshotsWork(qemu, t, s, why);
  } finally {
    t.cleanup();
  }
}

/** crashcow reads QEMU's image exactly as `qemu-img convert` does. */
async function expectCrashcowReads(path: string, truth: Uint8Array, why: (w: string) => string): Promise<void> {
  const image = await new BuiltinEngine().open({ path }, { readOnly: true });
  const ours = await image.read(0, image.virtualSizeBytes);
  await image.close();
  const firstDiff = ours.findIndex((b, i) => b !== truth[i]);
  expect({ size: ours.length, firstDiff }, why('crashcow reads the QEMU image wrongly')).toEqual({ size: truth.length, firstDiff: -1 });
}

/** qemu-io `read -P` on crashcow's image agrees with the truth at a few uniform runs. */
async function expectQemuIoReads(qemu: QemuTools, path: string, truth: Uint8Array): Promise<void> {
  const cmds: string[] = [];
  for (const at of [0, Math.floor(truth.length / 3), Math.floor((2 * truth.length) / 3), truth.length - 1]) {
    let n = 1;
    while (at + n < truth.length && n < 65536 && truth[at + n] === truth[at]) n++;
    cmds.push(`read -P ${truth[at]} ${at} ${n}`);
  }
  await qemu.io(path, cmds);
}

async function expectSnapshotsWork(qemu: QemuTools, t: ReturnType<typeof tempDir>, s: Scenario, why: (w: string) => string): Promise<void> {
  const { img: qemuImg, imgOk: qemuImgOk } = qemu;
  const list = await qemuImgOk(['snapshot', '-l', t.path('cc.qcow2')]);
  const names = list.split('\n').slice(2).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/)[1]);
  expect(names, why('qemu-img snapshot -l')).toEqual(s.finalSnapshots);
  const last = s.finalSnapshots[s.finalSnapshots.length - 1];
  if (last === undefined) return;
  copyFileSync(t.path('cc.qcow2'), t.path('cc-applied.qcow2'));
  copyFileSync(t.path('qemu.qcow2'), t.path('qemu-applied.qcow2'));
  await qemuImgOk(['snapshot', '-a', last, t.path('cc-applied.qcow2')]);
  await qemuImgOk(['snapshot', '-a', last, t.path('qemu-applied.qcow2')]);
  const cmp = await qemuImg(['compare', '-f', 'qcow2', '-F', 'qcow2', t.path('cc-applied.qcow2'), t.path('qemu-applied.qcow2')]);
  expect(cmp.exitCode, why(`after qemu-img snapshot -a ${last}: ${cmp.stdout}`)).toBe(0);
}

describe.each(qemuBuilds().map((b, i) => ({ b, runs: i === 0 ? RUNS : RUNS_OTHER })))('built-in engine vs $b.label (differential)', ({ b, runs }) => {
  it(`agrees with ${b.label} on ${runs} random scripts (seed ${SEED})`, async (ctx) => {
    const build = buildOrSkip(b, (reason) => ctx.skip(reason));
    if (build === null) return;
    const qemu = qemuTools(build.dir);
    await fc.assert(fc.asyncProperty(scenarioArb(), (s) => checkScenario(qemu, s)), { numRuns: runs, seed: SEED, endOnFailure: true });
  }, 600_000);
});
