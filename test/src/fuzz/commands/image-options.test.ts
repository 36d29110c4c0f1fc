/**
 * The run options generator: the growth profile (512-byte clusters, 64-bit refcounts, 4 MiB disk,
 * bulk writes past 2 MiB) comes up once in GROWTH_ONE_IN runs and its shape never by chance; it
 * respects fixed flags, and its bulk writes reach past the 2 MiB the first refcount table covers
 * (ORD-7 reachable). The large profile (1 GiB, 100 MiB filled, snapshots of the fill) comes up once in
 * LARGE_ONE_IN runs; `profile` fixes the profile, and every draw records its profile.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulkBytesOf, BULK_BYTES_MAX, GROWTH_BULK_BYTES } from '../../../../src/fuzz/commands/guest-range.js';
import { GROWTH_ONE_IN, imageOptionsArb, isGrowthProfile } from '../../../../src/fuzz/commands/image-options-arb.js';
import { IMAGE_PROFILES, isImageProfile, LARGE_ONE_IN, LARGE_PROFILE } from '../../../../src/fuzz/commands/image-profile.js';
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
    expect(fc.sample(imageOptionsArb(), { numRuns: 100, seed: 5 }).some((o) => o.profile !== 'large' && 'fillBytes' in o)).toBe(false);
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

describe('image profiles', () => {
  it('draws the large profile about once in LARGE_ONE_IN runs, and small or growth otherwise, each recorded in the options', () => {
    const runs = 20 * LARGE_ONE_IN;
    const counts: Record<string, number> = { small: 0, growth: 0, large: 0 };
    for (const o of fc.sample(imageOptionsArb(), { numRuns: runs, seed: 3 })) counts[o.profile!]++;
    // 20 expected; the seed is fixed, and a Poisson count of mean 20 stays within 10-30 for all but about 1 seed in 100.
    expect(counts.large).toBeGreaterThanOrEqual(10);
    expect(counts.large).toBeLessThanOrEqual(30);
    expect(counts.growth).toBeGreaterThan(runs / GROWTH_ONE_IN / 2);
    expect(counts.small + counts.growth + counts.large).toBe(runs);
  });

  it('gives the large profile its shape: 1 GiB, 1 KiB clusters, 100 MiB filled, snapshots of the fill, v3, no backing file', () => {
    const samples = fc.sample(imageOptionsArb({ profile: 'large' }), { numRuns: 200, seed: 9 });
    for (const o of samples) {
      expect(o).toMatchObject({ profile: 'large', virtualSizeBytes: LARGE_PROFILE.virtualSizeBytes, clusterSizeBytes: 1024, refcountBits: 16, compat: '1.1', backing: null, extendedL2: false, fillBytes: LARGE_PROFILE.fillBytes, fillSnapshots: LARGE_PROFILE.fillSnapshots });
    }
    // Lazy refcounts and the cache mode are still drawn.
    expect(new Set(samples.map((o) => o.lazyRefcounts)).size).toBe(2);
    expect(new Set(samples.map((o) => o.cacheMode)).size).toBe(2);
    // 102,400 data clusters, and a file past the 64 MiB one refcount table cluster covers (128 refblocks of 512 entries, 1 KiB clusters).
    expect(LARGE_PROFILE.fillBytes / LARGE_PROFILE.clusterSizeBytes).toBe(102_400);
    expect(LARGE_PROFILE.fillBytes).toBeGreaterThan((LARGE_PROFILE.clusterSizeBytes / 8) * ((LARGE_PROFILE.clusterSizeBytes * 8) / LARGE_PROFILE.refcountBits) * LARGE_PROFILE.clusterSizeBytes);
  });

  it('fixes the profile with `profile`, also where the growth and large profiles are never drawn (QEMU), and keeps other fixed flags', () => {
    expect(fc.sample(imageOptionsArb({ profile: 'small' }), { numRuns: 2000, seed: 4 }).every((o) => o.profile === 'small' && !isGrowthProfile(o) && o.virtualSizeBytes <= 8 * MIB)).toBe(true);
    expect(fc.sample(imageOptionsArb({ profile: 'growth', growth: false }), { numRuns: 100, seed: 4 }).every((o) => o.profile === 'growth' && isGrowthProfile(o))).toBe(true);
    expect(fc.sample(imageOptionsArb({ profile: 'large', growth: false, lazyRefcounts: true }), { numRuns: 100, seed: 4 }).every((o) => o.profile === 'large' && o.lazyRefcounts)).toBe(true);
    expect(fc.sample(imageOptionsArb({ growth: false }), { numRuns: 2000, seed: 4 }).every((o) => o.profile === 'small')).toBe(true);
    // Refcounts of 2 bits cannot hold the fill's snapshots: the large profile then has none.
    expect(fc.sample(imageOptionsArb({ profile: 'large', refcountBits: 2 }), { numRuns: 20, seed: 4 }).every((o) => o.refcountBits === 2 && o.fillSnapshots === undefined)).toBe(true);
  });

  it('accepts profile names and nothing else', () => {
    expect(IMAGE_PROFILES.filter(isImageProfile)).toEqual(['small', 'growth', 'large']);
    expect(isImageProfile('huge')).toBe(false);
  });
});

describe('shrinking the drawn profile', () => {
  it('a failing run shrinks towards the small profile, never into the large one', () => {
    // Every run fails: fast-check shrinks to the smallest options it can reach from the first draw.
    const details = fc.check(fc.property(imageOptionsArb(), () => false), { seed: 3, numRuns: 1 });
    const [shrunk] = details.counterexample as [FuzzImageOptions];
    expect(shrunk.profile).not.toBe('large');
  });
});
