/**
 * Guest writes inside one cluster: in place when the cluster is COPIED (refcount 1), otherwise into a
 * newly allocated cluster (qcow2_alloc_host_offset + perform_cow). The bytes around the write that the
 * new cluster (or newly allocated subclusters) must carry are the cluster's current guest content,
 * from the backing file, zeros, the shared old cluster or the decompressed one.
 */
import { guestOffsetToL1Index, guestOffsetToL2Index, guestOffsetToSubclusterIndex, offsetIntoCluster, offsetToClusterStart } from '../../../spec/format/geometry.js';
import { hasCopied } from '../../../spec/format/l1-entry.js';
import { ClusterType, l2EntryHi, l2EntryLo } from '../../../spec/format/l2-entry.js';
import { allocClusters } from './allocate.js';
import { decodeSlot, type ClusterMapping } from './cluster-lookup.js';
import { readInCluster } from './guest-read.js';
import { linkL2Entry, releaseOldCluster } from './l2-link.js';
import { getL2ForWrite } from './l2-for-write.js';
import { subclusterMask } from './l2-slot.js';
import type { Qcow2State } from './state.js';

/** The current mapping of `guest`'s cluster, in a writable L2 table. */
export function mappingForWrite(s: Qcow2State, guest: number): ClusterMapping {
  const l2OffsetBytes = getL2ForWrite(s, guestOffsetToL1Index(s.g, guest));
  const l2Index = guestOffsetToL2Index(s.g, guest);
  const m: ClusterMapping = { type: ClusterType.unallocated, hi: 0, lo: 0, zeroBits: 0, allocBits: 0, hostOffsetBytes: 0, l2OffsetBytes, l2Index };
  return decodeSlot(s, s.l2Cache.get(l2OffsetBytes), m);
}

/** Writes `chunk` at guest offset `guest`; the chunk must not cross a cluster boundary. */
export function writeInCluster(s: Qcow2State, guest: number, chunk: Uint8Array): void {
  const m = mappingForWrite(s, guest);
  if (m.type === ClusterType.normal && hasCopied(m.hi)) writeInPlace(s, m, guest, chunk);
  else writeAllocating(s, m, guest, chunk);
}

function writeInPlace(s: Qcow2State, m: ClusterMapping, guest: number, chunk: Uint8Array): void {
  const inCluster = offsetIntoCluster(s.g, guest);
  const mask = s.g.extendedL2 ? touchedSubclusters(s, guest, chunk.length) : 0;
  if ((m.allocBits & mask) === mask) {
    s.device.write(m.hostOffsetBytes + inCluster, chunk);
    return;
  }
  // Extended L2: some touched subclusters are not allocated yet (XL2-6).
  const { fromBytes, buf } = padToSubclusters(s, m, guest, chunk);
  s.device.write(m.hostOffsetBytes + fromBytes, buf);
  const entry = { hi: m.hi, lo: m.lo, zeroBits: (m.zeroBits & ~mask) >>> 0, allocBits: (m.allocBits | mask) >>> 0 };
  linkL2Entry(s, m, entry, { cowDone: buf.length > chunk.length });
}

function writeAllocating(s: Qcow2State, m: ClusterMapping, guest: number, chunk: Uint8Array): void {
  const host = allocClusters(s, 1);
  let region: { fromBytes: number; buf: Uint8Array };
  let entry = { hi: l2EntryHi(host, true), lo: l2EntryLo(host, false), zeroBits: 0, allocBits: 0 };
  if (s.g.extendedL2 && m.type === ClusterType.unallocated) {
    const mask = touchedSubclusters(s, guest, chunk.length);
    region = padToSubclusters(s, m, guest, chunk);
    entry = { ...entry, zeroBits: (m.zeroBits & ~mask) >>> 0, allocBits: mask };
  } else {
    region = chunk.length === s.g.clusterSizeBytes ? { fromBytes: 0, buf: chunk } : padToCluster(s, m, guest, chunk);
    if (s.g.extendedL2) {
      const mask = touchedSubclusters(s, guest, chunk.length);
      const keep = m.type === ClusterType.normal ? m.allocBits : 0xffffffff;
      entry = { ...entry, zeroBits: (m.zeroBits & ~mask & ~keep) >>> 0, allocBits: (keep | mask) >>> 0 };
    }
  }
  try {
    s.device.write(host + region.fromBytes, region.buf);
  } catch (err) {
    // link-after-failed-write: links the new cluster although its data never reached the device (P6-4).
    if (s.mut['link-after-failed-write']) linkL2Entry(s, m, entry, { cowDone: false });
    throw err;
  }
  linkL2Entry(s, m, entry, { cowDone: region.buf.length > chunk.length });
  releaseOldCluster(s, m);
}

/** Bitmask of the subclusters [guest, guest+length) touches (inside one cluster). */
function touchedSubclusters(s: Qcow2State, guest: number, lengthBytes: number): number {
  const first = guestOffsetToSubclusterIndex(s.g, guest);
  return subclusterMask(first, guestOffsetToSubclusterIndex(s.g, guest + lengthBytes - 1) - first + 1);
}

/**
 * A reusable cluster-sized buffer: devices copy what they are given, so the bytes of one write
 * never need to outlive it.
 */
function scratch(s: Qcow2State, lengthBytes: number): Uint8Array {
  if (!s.scratch || s.scratch.length < s.g.clusterSizeBytes) s.scratch = new Uint8Array(s.g.clusterSizeBytes);
  return s.scratch.subarray(0, lengthBytes);
}

/** The whole cluster: current guest content with `chunk` laid over it. */
function padToCluster(s: Qcow2State, m: ClusterMapping, guest: number, chunk: Uint8Array): { fromBytes: number; buf: Uint8Array } {
  const buf = scratch(s, s.g.clusterSizeBytes);
  readInCluster(s, m, offsetToClusterStart(s.g, guest), buf);
  buf.set(chunk, offsetIntoCluster(s.g, guest));
  return { fromBytes: 0, buf };
}

/** The touched subclusters: current guest content with `chunk` laid over it. */
function padToSubclusters(s: Qcow2State, m: ClusterMapping, guest: number, chunk: Uint8Array): { fromBytes: number; buf: Uint8Array } {
  const scs = s.g.subclusterSizeBytes;
  const inCluster = offsetIntoCluster(s.g, guest);
  const fromBytes = guestOffsetToSubclusterIndex(s.g, guest) * scs;
  const toBytes = Math.ceil((inCluster + chunk.length) / scs) * scs;
  if (fromBytes === inCluster && toBytes === inCluster + chunk.length) return { fromBytes, buf: chunk };
  const buf = scratch(s, toBytes - fromBytes);
  readInCluster(s, m, guest - inCluster + fromBytes, buf);
  buf.set(chunk, inCluster - fromBytes);
  return { fromBytes, buf };
}
