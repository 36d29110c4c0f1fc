/** qemuCacheSizesOf: QEMU gets caches of a few clusters for the large profile, its defaults otherwise. */
import { describe, expect, it } from 'vitest';
import { QEMU_SMALL_CACHE_CLUSTERS, qemuCacheSizesOf } from '../../../../src/fuzz/target/qemu-cache-sizes.js';

describe('qemuCacheSizesOf', () => {
  it('sizes both caches in clusters for the large profile only', () => {
    expect(qemuCacheSizesOf({ profile: 'large', clusterSizeBytes: 1024 })).toEqual({ l2CacheSizeBytes: QEMU_SMALL_CACHE_CLUSTERS * 1024, refcountCacheSizeBytes: QEMU_SMALL_CACHE_CLUSTERS * 1024 });
    expect(qemuCacheSizesOf({ profile: 'small', clusterSizeBytes: 1024 })).toEqual({});
    expect(qemuCacheSizesOf({ profile: 'growth', clusterSizeBytes: 512 })).toEqual({});
    expect(qemuCacheSizesOf({ clusterSizeBytes: 65536 })).toEqual({});
  });
});
