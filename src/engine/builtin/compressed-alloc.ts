/**
 * Byte allocation for compressed data (qcow2_alloc_bytes): streams are packed one after another
 * inside a cluster; each stream adds 1 to the refcount of every cluster it overlaps (RC-5), so a
 * cluster shared by k streams has refcount k. A stream that does not fit the rest of the current
 * cluster starts a new one.
 */
import { offsetIntoCluster, offsetToClusterIndex, offsetToClusterStart } from '../../../spec/format/geometry.js';
import { allocClusters } from './allocate.js';
import { getRefcount, updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** Host byte offset for a compressed stream of `sizeBytes` (less than one cluster). */
export function allocCompressedBytes(s: Qcow2State, sizeBytes: number): number {
  const cs = s.g.clusterSizeBytes;
  const next = s.alloc.freeByteOffsetBytes;
  const clusterStart = offsetToClusterStart(s.g, next);
  if (offsetIntoCluster(s.g, next) !== 0 && next + sizeBytes <= clusterStart + cs && getRefcount(s, offsetToClusterIndex(s.g, clusterStart)) > 0) {
    updateRefcount(s, clusterStart, cs, 1);
    s.alloc.freeByteOffsetBytes = next + sizeBytes;
    return next;
  }
  const host = allocClusters(s, 1);
  s.alloc.freeByteOffsetBytes = host + sizeBytes;
  return host;
}
