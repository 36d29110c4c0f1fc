/**
 * Differential tests against real QEMU 7.2: random scripts run through qemu-img / qemu-io and through
 * crashcow's built-in engine on images with the same options. Every crashcow image must pass
 * `qemu-img check` (no errors, no leaks), be identical to QEMU's under `qemu-img compare`, read the
 * same under qemu-io `read -P`; crashcow must read QEMU's image right; snapshots crashcow made must
 * list and apply under `qemu-img snapshot`. Budget: CRASHCOW_PROPERTY_RUNS (default 30), seed
 * CRASHCOW_SEED.
 */
import fc from 'fast-check';
import { copyFileSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../src/engine/builtin/builtin-engine.js';
import { counter, qemuCheck, qemuImg, qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { scenarioArb } from './differential/scenario-arbitrary.js';
import { describeScenario, type Scenario } from './differential/scenario.js';
import { makeBacking, runCrashcow, runQemu } from './differential/run-scenario.js';

const RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 30);
const SEED = Number(process.env.CRASHCOW_SEED ?? 0x5eed2025);

async function checkScenario(s: Scenario): Promise<void> {
  const t = tempDir('crashcow-diff-');
  const why = (what: string) => `${what}\n--- scenario (seed ${SEED}) ---\n${describeScenario(s)}`;
  try {
    await makeBacking(t.dir, s);
    const q = await runQemu(t.dir, 'qemu.qcow2', s);
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
    await expectQemuIoReads(t.path('cc.qcow2'), truth);
    await expectSnapshotsWork(t, s, why);
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
async function expectQemuIoReads(path: string, truth: Uint8Array): Promise<void> {
  const cmds: string[] = [];
  for (const at of [0, Math.floor(truth.length / 3), Math.floor((2 * truth.length) / 3), truth.length - 1]) {
    let n = 1;
    while (at + n < truth.length && n < 65536 && truth[at + n] === truth[at]) n++;
    cmds.push(`read -P ${truth[at]} ${at} ${n}`);
  }
  await qemuIo(path, cmds);
}

async function expectSnapshotsWork(t: ReturnType<typeof tempDir>, s: Scenario, why: (w: string) => string): Promise<void> {
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

describe('built-in engine vs QEMU 7.2 (differential)', () => {
  it(`agrees on ${RUNS} random scripts (seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(scenarioArb(), checkScenario), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  }, 600_000);
});
