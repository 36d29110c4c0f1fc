/**
 * P5 on recoveries written as test doubles (the judge's own logic; the real recoveries are the
 * engines'): a recovery that rewrites the header by zeroing it first is caught by a crash between
 * its two writes; one that rewrites it in a single sector write is not.
 */
import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import { writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { DurabilityOracle } from '../../../../src/fuzz/model/durability-oracle.js';
import { GuestModel } from '../../../../src/fuzz/model/guest-model.js';
import { judgeRepairUnderCrash } from '../../../../src/fuzz/oracle/repair-under-crash.js';
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
