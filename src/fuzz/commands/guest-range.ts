/**
 * GuestRangeSpec: a guest byte range as fast-check generates it, in units of the image's cluster
 * and sector sizes so that aligned, unaligned, inside-a-cluster and across-cluster ranges all come
 * up whatever the cluster size; turned into bytes when the command runs.
 */
import fc from 'fast-check';
import { clusterCountToSize, clusterIndexToOffset, offsetToClusterStart } from '../../../spec/format/geometry.js';
import { SECTOR_SIZE_BYTES } from '../content/content-tag.js';
import { clusterGeometryOf } from '../model/cluster-geometry.js';

export interface GuestRangeSpec {
  cluster: number;
  sectorInCluster: number;
  byteInSector: number;
  lengthClusters: number;
  lengthSectors: number;
  lengthBytes: number;
}

/**
 * Ranges: mostly sector-aligned, sometimes byte-unaligned, up to three clusters long, and mostly in
 * the first eight clusters, so that later ops often land where earlier ones wrote, discarded or
 * freed (overwrites, copy-on-write, cluster reuse).
 */
export function guestRangeArb(): fc.Arbitrary<GuestRangeSpec> {
  const unaligned = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 511 }) });
  return fc.record({
    cluster: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 7 }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 255 }) }),
    sectorInCluster: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 127 }) }),
    byteInSector: unaligned,
    lengthClusters: fc.integer({ min: 0, max: 2 }),
    lengthSectors: fc.integer({ min: 0, max: 127 }),
    lengthBytes: unaligned,
  });
}

/** The byte range of a spec on a disk of `virtualSizeBytes` with `clusterSizeBytes` clusters. */
export function rangeBytesOf(spec: GuestRangeSpec, clusterSizeBytes: number, virtualSizeBytes: number): { offsetBytes: number; lengthBytes: number } {
  const sectorsPerCluster = clusterSizeBytes / SECTOR_SIZE_BYTES;
  const raw = spec.cluster * clusterSizeBytes + (spec.sectorInCluster % sectorsPerCluster) * SECTOR_SIZE_BYTES + spec.byteInSector;
  const offsetBytes = raw % virtualSizeBytes;
  let lengthBytes = spec.lengthClusters * clusterSizeBytes + (spec.lengthSectors % sectorsPerCluster) * SECTOR_SIZE_BYTES + spec.lengthBytes;
  if (lengthBytes === 0) lengthBytes = SECTOR_SIZE_BYTES;
  return { offsetBytes, lengthBytes: Math.max(1, Math.min(lengthBytes, virtualSizeBytes - offsetBytes)) };
}

/** A bulk range: `clusters` whole clusters from cluster `cluster` (grows L1, refcount blocks and tables). */
export interface BulkRangeSpec {
  cluster: number;
  clusters: number;
}

export function bulkRangeArb(): fc.Arbitrary<BulkRangeSpec> {
  return fc.record({ cluster: fc.integer({ min: 0, max: 4095 }), clusters: fc.integer({ min: 16, max: 2048 }) });
}

/**
 * The byte range of a bulk spec, clamped to the disk: at most 1 MiB. With `reach` (the growth
 * profile) it is GROWTH_BULK_BYTES plus the spec's length, so that one bulk write on fresh
 * clusters passes the 2 MiB that profile's first refcount table covers (ORD-7 table growth): that
 * table covers host clusters, which the header, tables and earlier writes share with the bulk
 * write, so only a write longer than 2 MiB is sure to pass it whatever was allocated before.
 */
export function bulkBytesOf(spec: BulkRangeSpec, clusterSizeBytes: number, virtualSizeBytes: number, reach = false): { offsetBytes: number; lengthBytes: number } {
  const g = clusterGeometryOf(clusterSizeBytes);
  const offsetBytes = offsetToClusterStart(g, clusterIndexToOffset(g, spec.cluster) % virtualSizeBytes);
  const wanted = Math.min(clusterCountToSize(g, spec.clusters), BULK_BYTES_MAX) + (reach ? GROWTH_BULK_BYTES : 0);
  return { offsetBytes, lengthBytes: Math.min(wanted, virtualSizeBytes - offsetBytes) };
}

/** What a growth-profile bulk write adds to its drawn length: the first refcount table's reach there. */
export const GROWTH_BULK_BYTES = 2 << 20;

/** Largest bulk write. */
export const BULK_BYTES_MAX = 1 << 20;
