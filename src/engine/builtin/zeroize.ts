/**
 * Write-zeroes (qemu-io `write -z [-u]`): subcluster-aligned parts become zero clusters or zero
 * subclusters in v3 (keeping the host cluster unless `unmap` allows freeing it; compressed clusters
 * are always freed); v2 without a backing file discards instead; everything else (unaligned edges,
 * v2 with a backing file, compressed subclusters) is written as explicit zeros.
 */
import { guestOffsetToSubclusterIndex, offsetIntoCluster, offsetToClusterStart } from '../../../spec/format/geometry.js';
import { ClusterType, withZeroFlag } from '../../../spec/format/l2-entry.js';
import { discardGuest, isAllocated } from './discard.js';
import { releaseOldCluster, setL2Entry } from './l2-link.js';
import { subclusterMask } from './l2-slot.js';
import type { Qcow2State } from './state.js';
import { mappingForWrite, writeInCluster } from './write-cluster.js';

/** Makes [guestOffsetBytes, +lengthBytes) read as zeros. */
export function zeroizeGuest(s: Qcow2State, guestOffsetBytes: number, lengthBytes: number, unmap: boolean): void {
  const scs = s.g.subclusterSizeBytes;
  const end = guestOffsetBytes + lengthBytes;
  const alignedStart = Math.min(end, Math.ceil(guestOffsetBytes / scs) * scs);
  const alignedEnd = end === s.g.virtualSizeBytes ? end : Math.max(alignedStart, Math.floor(end / scs) * scs);
  writeZeroBytes(s, guestOffsetBytes, alignedStart - guestOffsetBytes);
  if (alignedEnd > alignedStart) zeroizeAligned(s, alignedStart, alignedEnd, unmap);
  writeZeroBytes(s, alignedEnd, end - alignedEnd);
}

function zeroizeAligned(s: Qcow2State, start: number, end: number, unmap: boolean): void {
  if (s.header.version < 3) {
    if (s.backing) return writeZeroBytes(s, start, end - start);
    return discardGuest(s, start, end - start);
  }
  const cs = s.g.clusterSizeBytes;
  for (let guest = start; guest < end; ) {
    const next = Math.min(end, offsetToClusterStart(s.g, guest) + cs);
    const wholeCluster = offsetIntoCluster(s.g, guest) === 0 && (next - guest === cs || next === s.g.virtualSizeBytes);
    if (wholeCluster) zeroCluster(s, guest, unmap);
    else zeroSubclusters(s, guest, next - guest);
    guest = next;
  }
}

/** zero_in_l2_slice: the whole cluster reads as zeros. */
function zeroCluster(s: Qcow2State, guest: number, unmap: boolean): void {
  const m = mappingForWrite(s, guest);
  const drop = m.type === ClusterType.compressed || (unmap && isAllocated(m));
  const entry = drop ? { hi: 0, lo: 0, zeroBits: m.zeroBits, allocBits: m.allocBits } : { hi: m.hi, lo: m.lo, zeroBits: m.zeroBits, allocBits: m.allocBits };
  if (s.g.extendedL2) Object.assign(entry, { zeroBits: 0xffffffff, allocBits: 0 });
  else entry.lo = withZeroFlag(entry.lo);
  if (entry.hi === m.hi && entry.lo === m.lo && entry.zeroBits === m.zeroBits && entry.allocBits === m.allocBits) return;
  setL2Entry(s, m, entry);
  if (drop) releaseOldCluster(s, m);
}

/** zero_l2_subclusters: part of a cluster with extended L2; compressed clusters get explicit zeros. */
function zeroSubclusters(s: Qcow2State, guest: number, lengthBytes: number): void {
  const m = mappingForWrite(s, guest);
  if (m.type === ClusterType.compressed) return writeZeroBytes(s, guest, lengthBytes);
  const scs = s.g.subclusterSizeBytes;
  const mask = subclusterMask(guestOffsetToSubclusterIndex(s.g, guest), Math.ceil(lengthBytes / scs));
  const entry = { hi: m.hi, lo: m.lo, zeroBits: (m.zeroBits | mask) >>> 0, allocBits: (m.allocBits & ~mask) >>> 0 };
  if (entry.zeroBits !== m.zeroBits || entry.allocBits !== m.allocBits) setL2Entry(s, m, entry);
}

/** Writes explicit zeros over [guest, +lengthBytes), cluster by cluster (allocating where needed). */
export function writeZeroBytes(s: Qcow2State, guest: number, lengthBytes: number): void {
  const cs = s.g.clusterSizeBytes;
  for (let pos = 0; pos < lengthBytes; ) {
    const n = Math.min(lengthBytes - pos, cs - offsetIntoCluster(s.g, guest + pos));
    writeInCluster(s, guest + pos, new Uint8Array(n));
    pos += n;
  }
}
