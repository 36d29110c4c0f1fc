/**
 * P5 on recoveries written as test doubles (the judge's own logic; the real recoveries are the
 * engines'): a recovery that rewrites the header by zeroing it first is caught by a crash between
 * its two writes; one that rewrites it in a single sector write is not. A crash state holding
 * the bytes the recovery started from is not recovered again (that recovery was judged already).
 */
import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import { writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { DurabilityOracle } from '../../../../src/fuzz/model/durability-oracle.js';
import { GuestModel } from '../../../../src/fuzz/model/guest-model.js';
import { holdsSameBytes, judgeRepairUnderCrash } from '../../../../src/fuzz/oracle/repair-under-crash.js';
import type { BlockDevice } from '../../../../src/storage/block-device.js';
import { CowDevice } from '../../../../src/storage/cow-device.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import type { FuzzTarget, RecoveryRun } from '../../../../src/fuzz/target/fuzz-target.js';

const SEED = 5;

async function image(): Promise<{ device: MemoryDevice; oracle: DurabilityOracle }> {
  const engine = new BuiltinEngine();
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096 });
  const img = await engine.open({ device });
  await img.write(0, writeContent(SEED, 1, 0, 4096));
  await img.close();
  const model = new GuestModel({ virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, backingSizeBytes: 0 });
  model.apply({ kind: 'write', offsetBytes: 0, lengthBytes: 4096, writeId: 1 });
  return { device, oracle: new DurabilityOracle(model) };
}

/** A "recovery" that rewrites the first header sector, in one write or by zeroing it first. */
function headerRewrite(zeroFirst: boolean): (state: BlockDevice) => Promise<RecoveryRun> {
  return async (state) => {
    const rec = new RecordingDevice(new CowDevice(state));
    const header = rec.read(0, 512);
    if (zeroFirst) rec.writeZeroes(0, 512);
    rec.write(0, header);
    rec.flush();
    return { device: rec.inner, ops: rec.ops };
  };
}

const ctx = { target: {} as FuzzTarget, backing: undefined, lazyRefcounts: false, contentSeed: SEED, unknown: { count: 0 } };

describe('P5: repair under crash', () => {
  it('catches a recovery whose writes are not crash-safe', async () => {
    const { device, oracle } = await image();
    const again = headerRewrite(true);
    const v = await judgeRepairUnderCrash(ctx, device, { how: 'test recovery', full: false, run: await again(device), again }, oracle.expectAt(0));
    expect(v?.property).toBe('P5');
    expect(v?.stage).toMatch(/^crash c\d+\.g9\.z0\S* inside test recovery, then test recovery again$/);
  });

  it('passes a recovery that rewrites the header in one sector write', async () => {
    const { device, oracle } = await image();
    const again = headerRewrite(false);
    expect(await judgeRepairUnderCrash(ctx, device, { how: 'test recovery', full: false, run: await again(device), again }, oracle.expectAt(0))).toBeNull();
  });
});

describe('holdsSameBytes', () => {
  const base = (): MemoryDevice => MemoryDevice.from(writeContent(SEED, 2, 0, 8192));
  const after = (b: BlockDevice, change: (rec: RecordingDevice) => void): { device: BlockDevice; ops: RecoveryRun['ops'] } => {
    const rec = new RecordingDevice(new CowDevice(b));
    change(rec);
    return { device: rec.inner, ops: rec.ops };
  };

  it('is true when the operations wrote the bytes already there, or only flushed', () => {
    const b = base();
    const r = after(b, (rec) => (rec.write(512, b.read(512, 1024)), rec.flush()));
    expect(holdsSameBytes(r.device, b, r.ops)).toBe(true);
  });

  it('is false when a write, a zeroing or a truncate changed a byte, or the size differs', () => {
    const b = base();
    const changes: Array<(rec: RecordingDevice) => void> = [
      (rec) => rec.write(4000, new Uint8Array([b.read(4000, 1)[0] ^ 1])),
      (rec) => rec.writeZeroes(0, 512),
      (rec) => (rec.truncate(4096), rec.truncate(8192)),
      (rec) => rec.write(8192, new Uint8Array(512)),
    ];
    for (const change of changes) {
      const r = after(b, change);
      expect(holdsSameBytes(r.device, b, r.ops)).toBe(false);
    }
  });

  it('keeps P5 from recovering again a state where nothing of the recovery landed', async () => {
    const { device, oracle } = await image();
    let calls = 0;
    // Rewrites the header with its own bytes: every crash state inside it is the state it started from.
    const again = async (state: BlockDevice): Promise<RecoveryRun> => {
      calls++;
      const rec = new RecordingDevice(new CowDevice(state));
      rec.write(0, rec.read(0, 512));
      rec.flush();
      return { device: rec.inner, ops: rec.ops };
    };
    const run = await again(device);
    calls = 0;
    expect(await judgeRepairUnderCrash(ctx, device, { how: 'test recovery', full: false, run, again }, oracle.expectAt(0))).toBeNull();
    expect(calls).toBe(0);
  });
});
