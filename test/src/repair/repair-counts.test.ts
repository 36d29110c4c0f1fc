/**
 * repairImage with `counts: false` (the fuzzer and the dirty-open hook, which print no counts)
 * skips only the counting check: it writes the same bytes and reaches the same verdict as a
 * counted repair, and says it did not count rather than reporting zeros.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImage } from '../../../src/check/check-image.js';
import { repairImage } from '../../../src/repair/repair-image.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout } from '../check/damage.js';
import { baseCopy, plain } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-counts-');
afterAll(() => tmp.cleanup());

describe('repairImage counts', () => {
  it('repairs the same with and without counts; only the counted run reports what it fixed', async () => {
    const p = tmp.path('leak.qcow2');
    await baseCopy(plain(), tmp.path, p);
    const l = new Layout(p);
    l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 2)), 3);
    const free = l.clusterOf(l.dataOffset(0, 1));
    await qemuIo(p, ['discard 64k 64k']);
    l.setStoredRefcount(free, 1);
    const counted = MemoryDevice.from(readFileSync(p));
    const uncounted = MemoryDevice.from(readFileSync(p));
    const a = repairImage(counted, 'all', checkImage);
    const b = repairImage(uncounted, 'all', checkImage, { counts: false });
    expect(a.leaksFixed).toBe(2);
    expect([b.leaksFixed, b.corruptionsFixed]).toEqual([null, null]);
    expect(b.verified).toEqual(a.verified);
    expect(b.records).toEqual(a.records);
    expect(uncounted.read(0, uncounted.sizeBytes)).toEqual(counted.read(0, counted.sizeBytes));
  });
});
