import { describe, expect, it } from 'vitest';
import { countStates } from '../../../../src/storage/crash-states/count-states.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { enumerateStates } from '../../../../src/storage/crash-states/enumerate-states.js';
import { sampleStates } from '../../../../src/storage/crash-states/sample-states.js';
import { SAMPLING_STRATEGIES } from '../../../../src/storage/crash-states/sampling-strategies.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { Prng } from '../../../../src/storage/prng.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const SECTOR = 512;

/** Nine unflushed writes (one torn across sectors, one growing the file, one FUA) over 16 sectors. */
function model() {
  const base = new Uint8Array(16 * SECTOR).fill(3);
  const rec = new RecordingDevice(MemoryDevice.from(base));
  for (let i = 0; i < 6; i++) rec.write(i * SECTOR * 2, new Uint8Array(SECTOR).fill(10 + i));
  rec.write(SECTOR / 2, new Uint8Array(2 * SECTOR).fill(20));
  rec.write(3 * SECTOR, new Uint8Array(SECTOR).fill(21), { fua: true });
  rec.write(16 * SECTOR, new Uint8Array(SECTOR).fill(22));
  return new CrashPlan(MemoryDevice.from(base), rec.ops).model(rec.ops.length);
}

describe('sampleStates', () => {
  it('draws distinct states of the crash point, each one the enumeration also gives, named by its strategy', () => {
    // Arrange
    const m = model();
    const all = new Set([...enumerateStates(m)].map((s) => s.id));
    const names = new Set(SAMPLING_STRATEGIES.map((s) => s.name));
    // Act
    const sampled = [...sampleStates(m, 40, new Prng(5))];
    // Assert
    expect(all.size).toBe(countStates(m));
    expect(sampled.length).toBe(40);
    expect(new Set(sampled.map((s) => s.id)).size).toBe(40);
    for (const s of sampled) {
      expect(all.has(s.id), s.id).toBe(true);
      expect(names.has(s.origin), s.origin).toBe(true);
    }
  });

  it('gives the same states in the same order for the same generator state', () => {
    const m = model();
    const ids = (seed: number) => [...sampleStates(m, 25, new Prng(seed))].map((s) => s.id);
    expect(ids(9)).toEqual(ids(9));
    expect(ids(9)).not.toEqual(ids(10));
  });

  it('stops when the space holds fewer states than asked, without repeating one', () => {
    const base = new Uint8Array(4 * SECTOR);
    const rec = new RecordingDevice(MemoryDevice.from(base));
    rec.write(0, new Uint8Array(SECTOR).fill(1));
    const m = new CrashPlan(MemoryDevice.from(base), rec.ops).model(rec.ops.length);
    const sampled = [...sampleStates(m, 50, new Prng(1))];
    expect(sampled.length).toBeLessThanOrEqual(countStates(m));
    expect(new Set(sampled.map((s) => s.id)).size).toBe(sampled.length);
  });
});
