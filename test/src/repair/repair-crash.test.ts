/**
 * The repair is crash-safe. Each repair is recorded through src/storage's
 * RecordingDevice; the crash-state generator then gives the states a crash may leave around every
 * flush (just before and just after, each one's pending writes kept, dropped or torn by sector).
 * From every state, a second repair must end with an image crashcow check finds clean (exit 0) and
 * whose guest view equals that of the uninterrupted repair. A canary mutant that breaks the
 * declared write order must be caught.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImage } from '../../../src/check/check-image.js';
import { repairImage } from '../../../src/repair/repair-image.js';
import { repairMutants } from '../../../src/repair/repair-mutants.js';
import { CrashPlan } from '../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../src/storage/recording-device.js';
import { tempDir } from '../../helpers/qemu.js';
import { Layout, readU64, writeU64 } from '../check/damage.js';
import { checkDevice, firstDifference, guestBytes } from './device-image.js';
import { baseCopy, crashedLazy, plain, snapshots, type BaseImage } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-crash-');
afterAll(() => tmp.cleanup());

/** States per repair; CRASHCOW_PROPERTY_RUNS raises it for a longer run. */
const STATES = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 0) > 0 ? 20 * Number(process.env.CRASHCOW_PROPERTY_RUNS) : 120;
const SEED = 0x4e9a1;
const COPIED = 1n << 63n;

interface CrashCase {
  name: string;
  base: BaseImage;
  damage: (p: string, l: Layout) => void;
  /** The strategy the uninterrupted repair takes (so both paths are covered). */
  strategy: 'in-place' | 'rebuild';
}

const cases: CrashCase[] = [
  { name: 'dirty image after a crash (refcounts raised, COPIED kept)', base: crashedLazy, damage: () => undefined, strategy: 'in-place' },
  {
    name: 'leaks, a refcount too low and a dropped entry (all in-place epochs)',
    base: snapshots,
    damage: (p, l) => {
      l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 1);
      l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 1)), 3);
      writeU64(p, l.l2EntryOffset(0, 3), readU64(p, l.l2EntryOffset(0, 3)) | 0x200n);
    },
    strategy: 'in-place',
  },
  { name: 'aliased data cluster copied, structures rebuilt', base: plain(), damage: (p, l) => writeU64(p, l.l2EntryOffset(0, 16), readU64(p, l.l2EntryOffset(0, 0))), strategy: 'rebuild' },
  { name: 'snapshot dropped, data aliasing the refcount table', base: snapshots, damage: (p, l) => { writeU64(p, Number(l.meta.header.snapshotsOffset), readU64(p, Number(l.meta.header.snapshotsOffset)) | 0x200n); writeU64(p, l.l2EntryOffset(0, 40), COPIED | l.meta.header.refcountTableOffset); }, strategy: 'rebuild' },
];

async function damagedBytes(c: CrashCase, i: number): Promise<Uint8Array> {
  const p = tmp.path(`crash-${i}.qcow2`);
  await baseCopy(c.base, tmp.path, p);
  c.damage(p, new Layout(p));
  return new Uint8Array(readFileSync(p));
}

/** Runs every crash state of a recorded repair through a second repair; returns the failures. */
function crashFailures(damaged: Uint8Array, expectedGuest: Uint8Array, mutants: readonly string[]): { states: number; failures: string[] } {
  const recording = new RecordingDevice(MemoryDevice.from(damaged));
  repairImage(recording, 'all', checkImage, { mutants });
  const plan = new CrashPlan(MemoryDevice.from(damaged), recording.ops, { mode: 'flush-points', maxStates: STATES, seed: SEED });
  const failures: string[] = [];
  let states = 0;
  for (const state of plan.states()) {
    states++;
    const device = state.device();
    repairImage(device, 'all', checkImage);
    const { exitCode, report } = checkDevice(device);
    if (exitCode !== 0) failures.push(`${state.id}: check exit ${exitCode}: ${report.findings.map((f) => f.rule + ' ' + f.detail).join('; ')}`);
    else {
      const at = firstDifference(guestBytes(device), expectedGuest);
      if (at >= 0) failures.push(`${state.id}: guest byte ${at} differs from the uninterrupted repair`);
    }
  }
  return { states, failures };
}

describe('a crash at any point of a repair, then a second repair, ends clean with the guest view intact', () => {
  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const damaged = await damagedBytes(c, i);
    const clean = MemoryDevice.from(damaged);
    const result = repairImage(clean, 'all', checkImage);
    expect(result.strategy).toBe(c.strategy);
    expect(checkDevice(clean).exitCode).toBe(0);
    const { states, failures } = crashFailures(damaged, guestBytes(clean), []);
    expect(states, "crash states were tried").toBeGreaterThan(c.strategy === 'rebuild' ? 2 : 4);
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it(`canary: the ${repairMutants.oneEpoch} mutant (switch written with the new structures, no flush between) is caught`, async () => {
    const damaged = await damagedBytes(cases[2], 99);
    const clean = MemoryDevice.from(damaged);
    repairImage(clean, 'all', checkImage);
    const { failures } = crashFailures(damaged, guestBytes(clean), [repairMutants.oneEpoch]);
    expect(failures.length, 'some crash state shows the broken order').toBeGreaterThan(0);
  });
});
