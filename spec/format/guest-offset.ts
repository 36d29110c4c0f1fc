/**
 * The guest offset an L1 or L2 entry maps: the inverse of guestOffsetToL1Index and
 * guestOffsetToL2Index in geometry.ts.
 */
import type { Geometry } from './geometry.js';

/**
 * First guest byte mapped by entry `l2Index` of the L2 table under L1 entry `l1Index`, or by the
 * whole L2 table when `l2Index` is 0.
 */
export function entryIndexesToGuestOffset(g: Geometry, l1Index: number, l2Index: number): number {
  return l1Index * g.l2CoverageBytes + l2Index * g.clusterSizeBytes;
}
