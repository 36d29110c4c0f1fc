/**
 * HDR-13: a v3 header whose padding after the compression type is not zero is a corruption to
 * crashcow's checker, so `-r all` zeroes it (found by `crashcow fuzz --faults damage --seed 2`: a
 * bit flip at header byte 106 left the repair exiting 2); bytes past 112 (unknown additional fields) are kept.
 */
import { describe, expect, it } from 'vitest';
import { checkImage } from '../../../src/check/check-image.js';
import { BuiltinEngine } from '../../../src/engine/builtin/builtin-engine.js';
import { repairImage } from '../../../src/repair/repair-image.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { checkDevice, firstDifference, guestBytes } from './device-image.js';

async function image(): Promise<MemoryDevice> {
  const engine = new BuiltinEngine();
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096 });
  const img = await engine.open({ device });
  await img.write(0, new Uint8Array(4096).fill(5));
  await img.close();
  return device;
}

describe('the padding after the compression type (HDR-13)', () => {
  it('-r all zeroes it, leaves a clean image and the guest data as it was', async () => {
    const dev = await image();
    const header = dev.read(0, 112);
    expect(new DataView(header.buffer, header.byteOffset).getUint32(100)).toBeGreaterThanOrEqual(112);
    const guest = guestBytes(dev);
    dev.write(106, Uint8Array.of(0x01));
    expect(checkDevice(dev).report.findings.map((f) => f.rule)).toContain('HDR-13');
    const r = repairImage(dev, 'all', checkImage);
    expect(r.records.some((x) => x.rule === 'HDR-13')).toBe(true);
    expect(checkDevice(dev).exitCode).toBe(0);
    expect([...dev.read(105, 7)]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(firstDifference(guestBytes(dev), guest)).toBe(-1);
  });

  it('a clean image is left byte for byte as it was', async () => {
    const dev = await image();
    const before = dev.read(0, dev.sizeBytes);
    repairImage(dev, 'all', checkImage);
    expect(firstDifference(dev.read(0, dev.sizeBytes), before)).toBe(-1);
  });
});
