/**
 * The image options of a run, drawn from the seed unless fixed: cluster size (small ones more
 * often: their crash states are cheaper), refcount width, compat level, lazy refcounts, extended L2
 * entries, a backing file (raw or qcow2, covering all or part of the disk) and the cache mode.
 */
import fc from 'fast-check';
import type { FuzzImageOptions } from '../image-options.js';

/** What flags may fix; everything else is drawn. */
export interface FixedImageOptions {
  lazyRefcounts?: boolean;
  cacheMode?: FuzzImageOptions['cacheMode'];
  clusterSizeBytes?: number;
  refcountBits?: number;
}

const MIB = 1 << 20;

export function imageOptionsArb(fixed: FixedImageOptions = {}): fc.Arbitrary<FuzzImageOptions> {
  return fc
    .record({
      clusterSizeBytes: fixed.clusterSizeBytes !== undefined ? fc.constant(fixed.clusterSizeBytes) : fc.constantFrom(512, 4096, 4096, 16384, 65536),
      virtualSizeBytes: fc.constantFrom(1, 2, 4, 8).map((n) => n * MIB),
      refcountBits: fixed.refcountBits !== undefined ? fc.constant(fixed.refcountBits) : fc.constantFrom(16, 16, 16, 1, 2, 4, 8, 32, 64, 64),
      v2: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      lazy: fixed.lazyRefcounts !== undefined ? fc.constant(fixed.lazyRefcounts) : fc.boolean(),
      extendedL2: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      backing: fc.constantFrom(null, null, 'raw' as const, 'qcow2' as const),
      backingHalf: fc.boolean(),
      cacheMode: fixed.cacheMode !== undefined ? fc.constant(fixed.cacheMode) : fc.constantFrom('writeback' as const, 'writethrough' as const),
    })
    .filter((r) => !(r.v2 && (fixed.lazyRefcounts === true || (fixed.refcountBits !== undefined && fixed.refcountBits !== 16))))
    .map((r): FuzzImageOptions => {
      const v3 = !r.v2;
      const backingBytes = r.backingHalf ? Math.max(r.clusterSizeBytes, r.virtualSizeBytes / 2) : r.virtualSizeBytes;
      return {
        virtualSizeBytes: r.virtualSizeBytes,
        clusterSizeBytes: r.clusterSizeBytes,
        refcountBits: v3 ? r.refcountBits : 16,
        compat: v3 ? '1.1' : '0.10',
        lazyRefcounts: v3 && r.lazy,
        extendedL2: v3 && r.extendedL2 && r.clusterSizeBytes >= 16384,
        backing: r.backing ? { format: r.backing, sizeBytes: backingBytes } : null,
        cacheMode: r.cacheMode,
      };
    });
}
