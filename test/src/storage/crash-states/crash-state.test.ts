import { describe, expect, it } from 'vitest';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

function plan(): { plan: CrashPlan; rec: RecordingDevice } {
  const base = MemoryDevice.from(new Uint8Array(2048).fill(1));
  const rec = new RecordingDevice(MemoryDevice.from(new Uint8Array(2048).fill(1)));
  rec.write(0, new Uint8Array(1024).fill(2));
  rec.flush();
  rec.write(0, new Uint8Array(1536).fill(3));
  rec.write(1024, new Uint8Array(512).fill(3));
  rec.write(2048, new Uint8Array(512).fill(4));
  return { plan: new CrashPlan(base, rec.ops), rec };
}

describe('CrashState', () => {
  it('device() is writable and leaves the state and its view untouched', () => {
    const { plan: p } = plan();
    const state = p.rebuild('c5.g9.z0');
    const dev = state.device();
    dev.write(0, new Uint8Array(10).fill(9));
    dev.truncate(100);
    expect(state.view().read(0, 1)[0]).toBe(3);
    expect(state.view().sizeBytes).toBe(2560);
    expect(state.device().read(0, 1)[0]).toBe(3);
  });

  it('summarize names surviving, torn and dropped operations by the sectors they changed', () => {
    const { plan: p } = plan();
    // Touched sectors 0, 1, 2, 4; versions latest first: [3, 2], [3, 1], [3, 1], [4, 0].
    // Keep the 3-write in sector 1 only; the second 3-write rewrote sector 2 with the same bytes.
    const state = p.rebuild('c5.g9.z0.1_0_1:2');
    expect([...state.view().read(0, 2560)].filter((_, i) => i % 512 === 0)).toEqual([2, 3, 1, 1, 0]);
    expect(state.summarize()).toEqual({
      survivingOps: [3],
      tornOps: [{ opIndex: 2, sectorsLanded: 1, sectorCount: 3 }],
      droppedOps: [4],
    });
  });

  it('a state cut below a write counts that write as lost', () => {
    const { plan: p } = plan();
    const sizes = p.model(5).sizesBytes;
    expect(sizes).toEqual([2560, 2048]);
    expect(p.rebuild('c5.g9.z1').summarize().droppedOps).toEqual([4]);
  });
});
