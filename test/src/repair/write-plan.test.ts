import { describe, expect, it } from 'vitest';
import { applyWritePlan, isEmptyPlan, writeEpoch, type WritePlan } from '../../../src/repair/write-plan.js';
import { mutatedPlan, repairMutants } from '../../../src/repair/repair-mutants.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../src/storage/recording-device.js';

function plan(): WritePlan {
  const a = writeEpoch('first', 'x');
  a.writes.push({ offsetBytes: 0, data: new Uint8Array([1]) }, { offsetBytes: 512, data: new Uint8Array([2]) });
  const empty = writeEpoch('empty', 'y');
  const b = writeEpoch('second', 'z');
  b.writes.push({ offsetBytes: 1024, data: new Uint8Array([3]) });
  return { epochs: [a, empty, b] };
}

describe('WritePlan', () => {
  it('writes each non-empty epoch, then flushes, in the declared order', () => {
    const dev = new RecordingDevice(new MemoryDevice(2048));
    applyWritePlan(dev, plan());
    expect(dev.ops.map((o) => `${o.kind}@${o.offsetBytes}`)).toEqual(['write@0', 'write@512', 'flush@0', 'write@1024', 'flush@0']);
    expect(dev.epochs().length).toBe(2);
  });

  it('knows an empty plan', () => {
    expect(isEmptyPlan({ epochs: [writeEpoch('a', 'b')] })).toBe(true);
    expect(isEmptyPlan(plan())).toBe(false);
  });

  it(`the ${repairMutants.oneEpoch} mutant puts everything in one epoch, the last epoch's writes first`, () => {
    const m = mutatedPlan(plan(), [repairMutants.oneEpoch]);
    expect(m.epochs.length).toBe(1);
    expect(m.epochs[0].writes.map((w) => w.offsetBytes)).toEqual([1024, 0, 512]);
    expect(mutatedPlan(plan(), [])).toEqual(plan());
  });
});
