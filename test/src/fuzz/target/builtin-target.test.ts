/**
 * BuiltinTarget's recovery of a dirty image and the separate `crashcow check -r all` run the same
 * repair (the engine's hook is crashcow's repair): the target hands the repairer the run its hook
 * recorded on that state, which must be the run the repairer would have made itself.
 */
import { describe, expect, it } from 'vitest';
import type { RepairHook } from '../../../../src/engine/engine.js';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import { BuiltinTarget } from '../../../../src/fuzz/target/builtin-target.js';
import { crashcowRepairer, crashcowRepairHook } from '../../../../src/fuzz/target/crashcow-repairer.js';
import type { RecoveryRun, Repairer } from '../../../../src/fuzz/target/fuzz-target.js';
import { dirtyBitOf } from '../../../../src/fuzz/oracle/check-summary.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';

/** A lazy-refcount image after writes and no close: its dirty bit is set. */
async function dirtyImage(): Promise<MemoryDevice> {
  const engine = new BuiltinEngine();
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, lazyRefcounts: true });
  const image = await engine.open({ device }, { cacheMode: 'writeback' });
  for (let i = 0; i < 8; i++) await image.write(i * 12288, new Uint8Array(5000).fill(i + 1));
  await image.flush();
  const state = MemoryDevice.from(device.read(0, device.sizeBytes));
  expect(dirtyBitOf(toByteSource(state))).toBe(true);
  return state;
}

function counted(hook: RepairHook, mutants: string[]): { hook: RepairHook; repairer: Repairer; calls: { hook: number; repairer: number } } {
  const calls = { hook: 0, repairer: 0 };
  const inner = crashcowRepairer(mutants);
  const counting: RepairHook = (device, o) => (calls.hook++, hook(device, o));
  const repairer: Repairer = { ...inner, sameAsHook: { hook: counting, mutants }, repair: (s) => (calls.repairer++, inner.repair(s)) };
  return { hook: counting, repairer, calls };
}

function sameRun(a: RecoveryRun, b: RecoveryRun): void {
  expect(a.failure).toEqual(b.failure);
  expect(a.ops.map((op) => ({ ...op, data: op.data && [...op.data] }))).toEqual(b.ops.map((op) => ({ ...op, data: op.data && [...op.data] })));
  expect(a.device.sizeBytes).toBe(b.device.sizeBytes);
  expect(Buffer.from(a.device.read(0, a.device.sizeBytes)).equals(Buffer.from(b.device.read(0, b.device.sizeBytes)))).toBe(true);
}

describe('BuiltinTarget: the repairer shares the dirty open\'s repair', () => {
  it('gives the run the hook recorded on the same state, equal to a run of its own', async () => {
    const state = await dirtyImage();
    const { hook, repairer, calls } = counted(crashcowRepairHook, []);
    const target = new BuiltinTarget({ repairHook: hook, repairers: [repairer] });
    const recovered = await target.recover(state, undefined);
    expect(recovered.failure).toBeUndefined();
    expect(calls.hook).toBe(1);
    const shared = await target.repairers[0].repair(state);
    expect(calls.repairer).toBe(0);
    sameRun(shared, await crashcowRepairer().repair(state));
    expect(shared.ops.some((op) => op.kind === 'write')).toBe(true);
  });

  it('repairs anew a state no recovery opened, and when the mutants differ', async () => {
    const state = await dirtyImage();
    const plain = counted(crashcowRepairHook, []);
    const target = new BuiltinTarget({ repairHook: plain.hook, repairers: [plain.repairer] });
    await target.recover(state, undefined);
    await target.repairers[0].repair(MemoryDevice.from(state.read(0, state.sizeBytes)));
    expect(plain.calls.repairer).toBe(1);

    const other = counted(crashcowRepairHook, []);
    const mutated = new BuiltinTarget({ mutants: ['refcount-after-l2'], repairHook: other.hook, repairers: [other.repairer] });
    await mutated.recover(state, undefined);
    await mutated.repairers[0].repair(state);
    expect(other.calls).toEqual({ hook: 1, repairer: 1 });
  });
});
