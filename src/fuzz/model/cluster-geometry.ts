/**
 * The spec's Geometry for the fuzz model's cluster arithmetic on guest offsets (rounding a range
 * to whole clusters), so that arithmetic goes through spec/format's helpers like everyone else's.
 * The model knows only the cluster size: the geometry is that of a version-3 image with that
 * cluster size, 16-bit refcounts and standard L2 entries, and only its cluster fields are meant.
 */
import { geometryFromHeader, type Geometry } from '../../../spec/format/geometry.js';

/** @throws Error unless `clusterSizeBytes` is a power of two from 512 to 2^30 */
export function clusterGeometryOf(clusterSizeBytes: number): Geometry {
  const clusterBits = Math.log2(clusterSizeBytes);
  if (!Number.isInteger(clusterBits)) throw new Error(`cluster size ${clusterSizeBytes} is not a power of two`);
  return geometryFromHeader({
    version: 3,
    backingFileOffset: 0n,
    backingFileNameBytes: 0,
    clusterBits,
    sizeBytes: 0n,
    cryptMethod: 0,
    l1EntryCount: 0,
    l1TableOffset: 0n,
    refcountTableOffset: 0n,
    refcountTableClusters: 0,
    snapshotCount: 0,
    snapshotsOffset: 0n,
    incompatibleFeatures: 0n,
    compatibleFeatures: 0n,
    autoclearFeatures: 0n,
    refcountOrder: 4,
    headerLengthBytes: 112,
    compressionType: 0,
    additionalFields: new Uint8Array(0),
  });
}
