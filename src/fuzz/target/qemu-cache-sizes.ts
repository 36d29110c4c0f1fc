/**
 * qemuCacheSizesOf: the qcow2 cache sizes QEMU opens a run's image with. The large profile's
 * metadata (hundreds of L2 tables and refcount blocks) would fit in QEMU's default caches, so
 * they would never evict within a run; there QEMU gets caches of a few clusters, so that L2 tables
 * and refcount blocks are written back on eviction, between flushes, as on a large disk.
 */
import type { QemuOpenSpec } from '../../engine/qemu/qemu-open-spec.js';
import type { FuzzImageOptions } from '../image-options.js';

/** Clusters each cache holds in the large profile (QEMU's floor for the refcount cache). */
export const QEMU_SMALL_CACHE_CLUSTERS = 4;

/** The cache options of the spec for `o`: small caches for the large profile, QEMU's defaults otherwise. */
export function qemuCacheSizesOf(o: Pick<FuzzImageOptions, 'profile' | 'clusterSizeBytes'>): Pick<QemuOpenSpec, 'l2CacheSizeBytes' | 'refcountCacheSizeBytes'> {
  if (o.profile !== 'large') return {};
  const bytes = QEMU_SMALL_CACHE_CLUSTERS * o.clusterSizeBytes;
  return { l2CacheSizeBytes: bytes, refcountCacheSizeBytes: bytes };
}
