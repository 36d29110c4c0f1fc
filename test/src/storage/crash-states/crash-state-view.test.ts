import { describe, expect, it } from 'vitest';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import { baseBytes, replayed } from '../storage-arbitraries.js';

const SECTOR = 512;

/** A flushed write, then unflushed ones: a torn two-sector write and a write that grows the file. */
function plan() {
  const base = baseBytes(8 * SECTOR);
  const rec = new RecordingDevice(MemoryDevice.from(base));
  rec.write(0, new Uint8Array(SECTOR).fill(1));
  rec.flush();
  rec.write(SECTOR + 100, new Uint8Array(2 * SECTOR).fill(2));
  rec.write(8 * SECTOR, new Uint8Array(SECTOR).fill(3));
  return { base, ops: rec.ops, plan: new CrashPlan(MemoryDevice.from(base), rec.ops) };
}

describe('CrashStateView', () => {
  it('reads, where every operation landed, the file the whole log leaves', () => {
    // Arrange
    const { base, ops, plan: p } = plan();
    const landed = [...p.statesAt(ops.length)].find((s) => s.codes.every((c) => c === 0) && s.sizeCode === 0)!;
    // Act
    const view = landed.view();
    // Assert
    expect(view.sizeBytes).toBe(9 * SECTOR);
    expect(view.read(0, view.sizeBytes)).toEqual(replayed(base, ops, ops.length).read(0, 9 * SECTOR));
  });

  it('reads, where nothing pending landed, the file at the last flush', () => {
    const { base, ops, plan: p } = plan();
    const m = p.model(ops.length);
    const durable = [...p.statesAt(ops.length)].find((s) => s.sizeBytes === 8 * SECTOR && s.codes.every((c, t) => c === m.durableCodes[t] || m.touched.sectors[t] >= 8))!;
    expect(durable.view().read(0, 8 * SECTOR)).toEqual(replayed(base, ops, 2).read(0, 8 * SECTOR));
  });

  it('reads zeros past the end of the state, and readInto agrees with read at any offset', () => {
    const { ops, plan: p } = plan();
    const views = [...p.statesAt(ops.length)].map((s) => s.view());
    for (const v of views) {
      const past = v.read(v.sizeBytes - 10, 40);
      expect([...past.subarray(10)].every((b) => b === 0)).toBe(true);
      for (const at of [0, 300, SECTOR + 99, 3 * SECTOR - 1]) {
        const into = new Uint8Array(700);
        v.readInto!(at, into);
        expect(into).toEqual(v.read(at, 700));
      }
    }
  });

  it('is read-only', () => {
    const { ops, plan: p } = plan();
    const view = [...p.statesAt(ops.length)][0].view();
    expect(() => view.write(0, new Uint8Array(1))).toThrow();
    expect(() => view.truncate(0)).toThrow();
    expect(() => view.flush()).toThrow();
  });
});
