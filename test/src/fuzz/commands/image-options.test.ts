/**
 * The run options generator: the growth profile (512-byte clusters, 64-bit refcounts, 4 MiB disk,
 * bulk writes past 2 MiB) comes up once in GROWTH_ONE_IN runs and its shape never by chance; it
 * respects fixed flags, and its bulk writes reach past the 2 MiB the first refcount table covers
 * (ORD-7 reachable).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulkBytesOf, BULK_BYTES_MAX, GROWTH_BULK_BYTES } from '../../../../src/fuzz/commands/guest-range.js';
import { GROWTH_ONE_IN, imageOptionsArb, isGrowthProfile } from '../../../../src/fuzz/commands/image-options-arb.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';

const MIB = 1 << 20;

describe('image options of a run', () => {
  it('draws the growth profile once in GROWTH_ONE_IN runs, unbiased, in batches of 10 as campaigns run', () => {
    const growth: FuzzImageOptions[] = [];
    for (let batch = 0; batch < 400; batch++) {
      fc.assert(fc.property(imageOptionsArb(), (o) => void (isGrowthProfile(o) && growth.push(o))), { numRuns: 10, seed: batch });
    }
    // 4000 runs: 200 expected; a binomial count strays past +-25% for about 3 seeds in 10,000 (the seeds are fixed).
    expect(growth.length).toBeGreaterThan((4000 / GROWTH_ONE_IN) * 0.75);
    expect(growth.length).toBeLessThan((4000 / GROWTH_ONE_IN) * 1.25);
    for (const o of growth) expect(o).toMatchObject({ clusterSizeBytes: 512, refcountBits: 64, virtualSizeBytes: 4 * MIB, compat: '1.1' });
  });

  it('keeps a fixed virtual size and fill (benchmark image profiles), never drawing the growth profile then', () => {
    const samples = fc.sample(imageOptionsArb({ virtualSizeBytes: 64 * MIB, fillBytes: 64 * MIB, clusterSizeBytes: 4096 }), { numRuns: 300, seed: 5 });
    expect(samples.every((o) => o.virtualSizeBytes === 64 * MIB && o.fillBytes === 64 * MIB && o.clusterSizeBytes === 4096)).toBe(true);
    expect(samples.some(isGrowthProfile)).toBe(false);
    expect(fc.sample(imageOptionsArb(), { numRuns: 100, seed: 5 }).some((o) => 'fillBytes' in o)).toBe(false);
  });

  it('keeps fixed options in the growth profile too', () => {
    const samples = fc.sample(imageOptionsArb({ clusterSizeBytes: 4096, lazyRefcounts: true }), { numRuns: 500, seed: 3 });
    expect(samples.every((o) => o.clusterSizeBytes === 4096 && o.lazyRefcounts)).toBe(true);
    expect(samples.some(isGrowthProfile)).toBe(false);
    const noGrowth = fc.sample(imageOptionsArb({ growth: false }), { numRuns: 2000, seed: 7 });
    expect(noGrowth.filter(isGrowthProfile), 'the shape is never drawn by chance (512 B, 64 bits, 4 MiB)').toEqual([]);
  });

  it('makes a growth-profile bulk write pass the 2 MiB of the first refcount table, and keeps others to 1 MiB', () => {
    const spec = { cluster: 0, clusters: 2048 };
    expect(bulkBytesOf(spec, 512, 4 * MIB, true)).toEqual({ offsetBytes: 0, lengthBytes: GROWTH_BULK_BYTES + BULK_BYTES_MAX });
    expect(bulkBytesOf({ cluster: 0, clusters: 16 }, 512, 4 * MIB, true).lengthBytes).toBe(GROWTH_BULK_BYTES + 16 * 512);
    expect(bulkBytesOf(spec, 512, 4 * MIB)).toEqual({ offsetBytes: 0, lengthBytes: BULK_BYTES_MAX });
    // Every growth-profile bulk write starts in the disk's first half, so it always reaches 2 MiB.
    expect(bulkBytesOf({ cluster: 4095, clusters: 16 }, 512, 4 * MIB, true).lengthBytes).toBeGreaterThanOrEqual(GROWTH_BULK_BYTES);
    expect(bulkBytesOf({ cluster: 6000, clusters: 2048 }, 512, 4 * MIB, true).lengthBytes).toBe(4 * MIB - 6000 * 512);
  });
});
