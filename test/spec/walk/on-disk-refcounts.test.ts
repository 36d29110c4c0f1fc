import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { setRefcount } from '../../../spec/format/refcount-block.js';
import { OnDiskRefcounts, UNREADABLE } from '../../../spec/walk/on-disk-refcounts.js';

/** An image of 512-byte clusters: reftable in cluster 1, refblocks from cluster 2 on. */
function imageWith(order: number, values: number[]): { bytes: Uint8Array; reftable: Uint8Array } {
  const clusterSize = 512;
  const perBlock = (clusterSize * 8) / 2 ** order;
  const blocks = Math.ceil(values.length / perBlock);
  const bytes = new Uint8Array(clusterSize * (2 + blocks));
  const reftable = new Uint8Array(clusterSize);
  const view = new DataView(reftable.buffer);
  for (let b = 0; b < blocks; b++) {
    view.setBigUint64(8 * b, BigInt((2 + b) * clusterSize));
    const block = bytes.subarray((2 + b) * clusterSize, (3 + b) * clusterSize);
    for (let i = 0; i < perBlock && b * perBlock + i < values.length; i++) setRefcount(block, i, order, values[b * perBlock + i]);
  }
  return { bytes, reftable };
}

describe('OnDiskRefcounts (RC-2, RC-3): stored refcounts read once, saturated at 255, exact on demand', () => {
  it('every width: saturated values and exact values agree with what was stored', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.array(fc.nat({ max: 70000 }), { minLength: 1, maxLength: 3000 }), (order, raw) => {
        const max = order === 6 ? 2 ** 40 : 2 ** 2 ** order - 1;
        const values = raw.map((v) => v % (Math.min(max, 70000) + 1));
        const { bytes, reftable } = imageWith(order, values);
        const onDisk = new OnDiskRefcounts(bytesSource(bytes), reftable, 9, order, values.length + 1);
        values.forEach((v, k) => {
          expect(onDisk.saturated[k], `cluster ${k}`).toBe(Math.min(v, 255));
          expect(onDisk.exact(k)).toBe(v);
        });
      }),
      { seed: 7, numRuns: 120 },
    );
  });

  it('an unaligned refcount block offset makes its clusters unreadable', () => {
    const { bytes, reftable } = imageWith(4, [1, 1, 1]);
    const view = new DataView(reftable.buffer);
    view.setBigUint64(0, view.getBigUint64(0) | 0x200n);
    const onDisk = new OnDiskRefcounts(bytesSource(bytes), reftable, 12, 4, 3);
    expect([...onDisk.unreadable]).toEqual([0]);
    expect(onDisk.saturatedOf(1)).toBe(UNREADABLE);
    expect(onDisk.exact(1)).toBe(UNREADABLE);
  });

  it('derived from another image with the same refcount table: copied where not reloaded, read again in the blocks named and past the other\'s end', () => {
    const values = Array.from({ length: 600 }, (_, k) => k % 7);
    const { bytes, reftable } = imageWith(4, values);
    const before = new OnDiskRefcounts(bytesSource(bytes), reftable, 9, 4, 300);
    // The state: refcounts changed in block 0 (clusters 0..255) and block 2 (512..599).
    const after = bytes.slice();
    setRefcount(after.subarray(2 * 512, 3 * 512), 10, 4, 99);
    setRefcount(after.subarray(4 * 512, 5 * 512), 20, 4, 98);
    const notReloaded = new OnDiskRefcounts(bytesSource(after), reftable, 9, 4, 601, { saturated: before.saturated, reloadBlocks: [] });
    expect([notReloaded.saturated[10], notReloaded.saturated[532]]).toEqual([10 % 7, 98]);
    const reloaded = new OnDiskRefcounts(bytesSource(after), reftable, 9, 4, 601, { saturated: before.saturated, reloadBlocks: [0] });
    expect(reloaded.saturated).toEqual(new OnDiskRefcounts(bytesSource(after), reftable, 9, 4, 601).saturated);
  });
});
