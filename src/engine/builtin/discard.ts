/**
 * Discard (qcow2_cluster_discard): whole clusters only; a partial cluster is left as it is, except a
 * partial last cluster at the end of the image. A discarded cluster reads as zeros afterwards: v3
 * marks it zero (a bitmap of zero subclusters with extended L2), v2 clears the entry. v2 images with a
 * backing file cannot express "zero" and refuse to discard, so no stale backing data appears (MUT-19).
 * `full` (shrinking) clears entries outright. Unlink first, then the refcount decrease (ORD-2).
 */
import { clusterIndexToOffset, guestOffsetToL1Index, offsetToClusterStart, sizeToClusterCount } from '../../../spec/format/geometry.js';
import { ClusterType, l2EntryLo } from '../../../spec/format/l2-entry.js';
import { lookupCluster, type ClusterMapping } from './cluster-lookup.js';
import { l1L2Offset } from './l1-table.js';
import { releaseOldCluster, setL2Entry, type NewL2Entry } from './l2-link.js';
import type { Qcow2State } from './state.js';
import { mappingForWrite } from './write-cluster.js';

/** Discards the whole clusters in [guestOffsetBytes, +lengthBytes); `full` lets them fall through. */
export function discardGuest(s: Qcow2State, guestOffsetBytes: number, lengthBytes: number, opts: { full?: boolean } = {}): void {
  const full = opts.full === true;
  if (!full && s.header.version < 3 && s.backing) return; // MUT-19: v2 + backing cannot discard safely
  const cs = s.g.clusterSizeBytes;
  const start = clusterIndexToOffset(s.g, sizeToClusterCount(s.g, guestOffsetBytes));
  let end = offsetToClusterStart(s.g, guestOffsetBytes + lengthBytes);
  if (guestOffsetBytes + lengthBytes >= s.g.virtualSizeBytes && s.g.virtualSizeBytes > end) end = s.g.virtualSizeBytes;
  for (let guest = start; guest < end; guest += cs) discardCluster(s, guest, full);
}

function discardCluster(s: Qcow2State, guest: number, full: boolean): void {
  const l1Index = guestOffsetToL1Index(s.g, guest);
  const l1Empty = l1Index >= s.l1.entryCount || l1L2Offset(s, l1Index) === 0;
  if (l1Empty && (full || !s.backing)) return; // nothing allocated, nothing to hide
  if (!full && !s.backing && !isAllocated(lookupCluster(s, guest))) return;
  const m = mappingForWrite(s, guest);
  const entry = discardedEntry(s, m, full);
  if (entry.hi === m.hi && entry.lo === m.lo && entry.zeroBits === m.zeroBits && entry.allocBits === m.allocBits) return;
  setL2Entry(s, m, entry); // unlink first ...
  releaseOldCluster(s, m); // ... then decrease the refcount (ORD-2)
}

function discardedEntry(s: Qcow2State, m: ClusterMapping, full: boolean): NewL2Entry {
  if (full) return { hi: 0, lo: 0, zeroBits: 0, allocBits: 0 };
  if (!s.backing && !isAllocated(m)) return { hi: m.hi, lo: m.lo, zeroBits: m.zeroBits, allocBits: m.allocBits };
  if (s.g.extendedL2) return { hi: 0, lo: 0, zeroBits: 0xffffffff, allocBits: 0 };
  return { hi: 0, lo: l2EntryLo(0, s.header.version >= 3), zeroBits: 0, allocBits: 0 };
}

/** The cluster holds a host reference (normal, zero-alloc or compressed). */
export function isAllocated(m: ClusterMapping): boolean {
  return m.type === ClusterType.normal || m.type === ClusterType.zeroAlloc || m.type === ClusterType.compressed;
}
