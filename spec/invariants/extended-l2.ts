/**
 * Extended L2 invariants (XL2-1..XL2-6): the 64-bit subcluster bitmap after each entry, bits 0..31
 * "allocated", bits 32..63 "reads as zeros", for the 32 subclusters of a cluster.
 */
import { ClusterType } from '../format/l2-entry.js';
import { L2Violation } from './l2-violations.js';

/**
 * XL2-3: no subcluster may be both allocated and zero (any overlap makes the whole entry invalid).
 * XL2-4: an unallocated cluster has no allocated subclusters. `allocBits` = bitmap bits 0..31,
 * `zeroBits` = bits 32..63, both as unsigned 32-bit numbers.
 */
export function subclusterBitmapViolations(type: ClusterType, allocBits: number, zeroBits: number): number {
  if (type === ClusterType.normal || type === ClusterType.zeroAlloc) {
    return (allocBits & zeroBits) !== 0 ? L2Violation.allocAndZero : 0;
  }
  if (type === ClusterType.unallocated) return allocBits !== 0 ? L2Violation.allocWithoutCluster : 0;
  return 0;
}

/**
 * XL2-2, XL2-6: the subcluster that a write leaves behind reads back what was written: allocated,
 * and no longer zero. True when subcluster `index` of the bitmap halves is allocated and not zero.
 */
export function subclusterHoldsData(allocBits: number, zeroBits: number, index: number): boolean {
  const bit = 1 << index;
  return (allocBits & bit) !== 0 && (zeroBits & bit) === 0;
}
