import { describe, expect, it } from 'vitest';
import { checkCrashState } from '../../../../spec/semantics/storage-contract.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';

/** A base of `sizeBytes` bytes of `fill`, recorded through `workload`. */
function recorded(sizeBytes: number, fill: number, workload: (dev: RecordingDevice) => void): { base: MemoryDevice; rec: RecordingDevice } {
  const base = MemoryDevice.from(new Uint8Array(sizeBytes).fill(fill));
  const rec = new RecordingDevice(MemoryDevice.from(new Uint8Array(sizeBytes).fill(fill)));
  workload(rec);
  return { base, rec };
}

const bytes = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

/** All states at the end of the log, each checked against the contract. */
function statesAtEnd(sizeBytes: number, fill: number, workload: (dev: RecordingDevice) => void, sectorSizeBytes = 512): string[] {
  const { base, rec } = recorded(sizeBytes, fill, workload);
  const plan = new CrashPlan(base, rec.ops, { sectorSizeBytes });
  const contents: string[] = [];
  for (const state of plan.statesAt(rec.ops.length)) {
    const verdict = checkCrashState(rec.ops, rec.ops.length, toByteSource(base), state.source(), sectorSizeBytes);
    expect(verdict.findings).toEqual([]);
    const src = state.source();
    contents.push(Buffer.from(src.read(0, src.sizeBytes)).toString('hex'));
  }
  expect(new Set(contents).size).toBe(contents.length);
  return contents;
}

describe('CrashPlan exhaustive counts on hand-computed logs', () => {
  it('one unflushed two-sector write: 2 x 2 states', () => {
    expect(statesAtEnd(1024, 0x11, (d) => d.write(0, bytes(1024, 0x22)))).toHaveLength(4);
  });

  it('a second write over sector 1 gives that sector three contents: 2 x 3', () => {
    expect(statesAtEnd(1024, 0x11, (d) => {
      d.write(0, bytes(1024, 0x22));
      d.write(512, bytes(512, 0x33));
    })).toHaveLength(6);
  });

  it('a flush makes earlier writes durable: only the later write varies', () => {
    expect(statesAtEnd(1024, 0x11, (d) => {
      d.write(0, bytes(1024, 0x22));
      d.flush();
      d.write(0, bytes(512, 0x44));
    })).toHaveLength(2);
  });

  it('growth may be lost: size 1024 with two contents of sector 1, or size 512', () => {
    const states = statesAtEnd(512, 0x11, (d) => d.write(512, bytes(512, 0x22)));
    expect(states).toHaveLength(3);
    expect(states.filter((h) => h.length === 2 * 512)).toHaveLength(1);
  });

  it('a FUA write is durable: its sector has one content, the other sector two', () => {
    expect(statesAtEnd(1024, 0x11, (d) => {
      d.write(0, bytes(1024, 0x22));
      d.write(0, bytes(512, 0x33), { fua: true });
    })).toHaveLength(2);
  });

  it('rewriting identical bytes adds no state', () => {
    expect(statesAtEnd(1024, 0x11, (d) => d.write(0, bytes(512, 0x11)))).toHaveLength(1);
  });

  it('a discard may or may not have happened, per sector', () => {
    expect(statesAtEnd(1024, 0x11, (d) => d.discard(0, 4096))).toHaveLength(4);
  });

  it('partial-sector writes become whole-sector images: three contents of sector 0', () => {
    expect(statesAtEnd(1024, 0x11, (d) => {
      d.write(100, bytes(100, 0x22));
      d.write(150, bytes(150, 0x33));
    })).toHaveLength(3);
  });

  it('a shrink may be lost: size 512, or size 1024 with sector 1 old or zero', () => {
    expect(statesAtEnd(1024, 0x11, (d) => d.truncate(512))).toHaveLength(3);
  });

  it('4 KiB sectors tear only at 4 KiB: an 8 KiB write has 2 x 2 states', () => {
    expect(statesAtEnd(8192, 0x11, (d) => d.write(0, bytes(8192, 0x22)), 4096)).toHaveLength(4);
  });

  it('more states than the cap: counted exactly, sampled up to the cap without repeats', () => {
    const { base, rec } = recorded(8192, 0x11, (d) => d.write(0, bytes(8192, 0x22)));
    const plan = new CrashPlan(base, rec.ops, { maxStates: 500, seed: 7 });
    expect(plan.pointPlans()).toEqual([{ crashPoint: 1, stateCount: 2 ** 16, budget: 500, exhaustive: false }]);
    const ids = [...plan.states()].map((s) => s.id);
    expect(new Set(ids).size).toBe(500);
  });
});

describe('CrashPlan crash points, ids and seeds', () => {
  const workload = (d: RecordingDevice): void => {
    d.write(0, bytes(2048, 0x22));
    d.flush();
    d.write(512, bytes(4096, 0x33));
    d.write(0, bytes(512, 0x44), { fua: true });
    d.write(8192, bytes(1000, 0x55));
    d.flush();
    d.write(100, bytes(3000, 0x66));
  };

  it('sample mode crashes before each flush, before each FUA write and at the end', () => {
    const { base, rec } = recorded(4096, 0x11, workload);
    expect(new CrashPlan(base, rec.ops).crashPoints()).toEqual([1, 3, 5, 7]);
    expect(new CrashPlan(base, rec.ops, { mode: 'flush-points' }).crashPoints()).toEqual([1, 2, 5, 6]);
  });

  it('every state rebuilds from its id to the same bytes', () => {
    const { base, rec } = recorded(4096, 0x11, workload);
    const plan = new CrashPlan(base, rec.ops, { maxStates: 300, seed: 5 });
    const again = new CrashPlan(base, rec.ops, { maxStates: 300, seed: 5 });
    for (const state of plan.states()) {
      const rebuilt = again.rebuild(state.id);
      expect(rebuilt.sizeBytes).toBe(state.sizeBytes);
      expect(Buffer.from(rebuilt.view().read(0, state.sizeBytes)).equals(state.view().read(0, state.sizeBytes)), state.id).toBe(true);
    }
  });

  it('the same seed gives the same states in the same order; another seed other states', () => {
    const { base, rec } = recorded(4096, 0x11, workload);
    const ids = (seed: number): string[] => [...new CrashPlan(base, rec.ops, { maxStates: 200, seed }).states()].map((s) => s.id);
    expect(ids(1)).toEqual(ids(1));
    expect(ids(1)).not.toEqual(ids(2));
    expect(ids(1)).toHaveLength(200);
  });

  it.each([
    ['c3.g12.z0', /4096 B sectors/],
    ['c99.g9.z0', /past the 7 operations/],
    ['c3.g9.z9', /size code 9/],
    ['c3.g9.z0.7', /code 7/],
    ['c5.g9.z1.0:9_1', /canonical/],
  ])('rebuild refuses %s', (id, why) => {
    const { base, rec } = recorded(4096, 0x11, workload);
    expect(() => new CrashPlan(base, rec.ops).rebuild(id)).toThrow(why);
  });
});
