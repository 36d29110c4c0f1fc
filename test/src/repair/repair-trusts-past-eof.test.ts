/**
 * An L2 entry whose data cluster lies past the end of the file (AL-4): `-r all` drops it and the
 * image checks clean; the mutant repair-trusts-past-eof keeps it, and the check after it names AL-4.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { checkImage } from '../../../src/check/check-image.js';
import { BuiltinEngine } from '../../../src/engine/builtin/builtin-engine.js';
import { repairImage } from '../../../src/repair/repair-image.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { checkDevice } from './device-image.js';

/** A 1 MiB image with guest clusters 0 and 1 written, cluster 1's L2 entry pointing 1 GiB further. */
async function damaged(): Promise<MemoryDevice> {
  const engine = new BuiltinEngine();
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096 });
  const img = await engine.open({ device });
  await img.write(0, new Uint8Array(8192).fill(9));
  await img.close();
  const bytes = device.read(0, device.sizeBytes);
  const view = new DataView(bytes.buffer);
  const l1 = Number(readImageMeta(bytesSource(bytes)).header.l1TableOffset);
  const l2 = Number(view.getBigUint64(l1) & 0x00fffffffffffe00n);
  view.setBigUint64(l2 + 8, view.getBigUint64(l2 + 8) | (1n << 30n));
  return MemoryDevice.from(bytes);
}

describe('an L2 entry past the end of the file', () => {
  it('-r all drops it and leaves a clean image', async () => {
    const dev = await damaged();
    expect(checkDevice(dev).report.findings.some((f) => f.rule === 'AL-4')).toBe(true);
    const r = repairImage(dev, 'all', checkImage);
    expect(r.records.some((x) => x.action === 'entry-dropped' && x.rule === 'AL-4')).toBe(true);
    expect(checkDevice(dev).exitCode).toBe(0);
  });

  it('the repair-trusts-past-eof mutant keeps it: the check after the repair still names AL-4', async () => {
    const dev = await damaged();
    const r = repairImage(dev, 'all', checkImage, { mutants: ['repair-trusts-past-eof'] });
    expect(r.verified.corruptions).toBeGreaterThan(0);
    expect(checkDevice(dev).report.findings.some((f) => f.rule === 'AL-4')).toBe(true);
  });
});
