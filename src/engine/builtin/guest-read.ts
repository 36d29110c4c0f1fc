/**
 * Guest reads (L2-5, XL2-2): each cluster (or run of subclusters) reads from its host cluster, as
 * zeros, from the backing image (zeros past its end or without one), or from a decompressed cluster.
 */
import { guestOffsetToSubclusterIndex, offsetIntoCluster } from '../../../spec/format/geometry.js';
import { ClusterType } from '../../../spec/format/l2-entry.js';
import { lookupCluster, type ClusterMapping } from './cluster-lookup.js';
import { decompressCluster } from './compression.js';
import type { Qcow2State } from './state.js';

/** Where a subcluster's bytes come from. */
const enum Source {
  host,
  zero,
  backing,
}

/** Fills `out` with guest bytes starting at `guestOffsetBytes` (the caller checked the range). */
export function readGuest(s: Qcow2State, guestOffsetBytes: number, out: Uint8Array): void {
  const cs = s.g.clusterSizeBytes;
  let pos = 0;
  while (pos < out.length) {
    const guest = guestOffsetBytes + pos;
    const inCluster = offsetIntoCluster(s.g, guest);
    const n = Math.min(out.length - pos, cs - inCluster);
    readInCluster(s, lookupCluster(s, guest), guest, out.subarray(pos, pos + n));
    pos += n;
  }
}

/** Fills `out` (inside one cluster) from mapping `m`; `guest` is the offset of out[0]. */
export function readInCluster(s: Qcow2State, m: ClusterMapping, guest: number, out: Uint8Array): void {
  const inCluster = offsetIntoCluster(s.g, guest);
  switch (m.type) {
    case ClusterType.compressed:
      out.set(decompressCluster(s, m.hi, m.lo).subarray(inCluster, inCluster + out.length));
      return;
    case ClusterType.zeroPlain:
    case ClusterType.zeroAlloc:
      out.fill(0);
      return;
    default:
      if (s.g.extendedL2) return readSubclusters(s, m, guest, out);
      return readFrom(s, m.type === ClusterType.normal ? Source.host : Source.backing, m, guest, out);
  }
}

function readSubclusters(s: Qcow2State, m: ClusterMapping, guest: number, out: Uint8Array): void {
  const scs = s.g.subclusterSizeBytes;
  let pos = 0;
  while (pos < out.length) {
    const at = guest + pos;
    const sc = guestOffsetToSubclusterIndex(s.g, at);
    const source = subclusterSource(m, sc);
    let end = Math.min(out.length, pos + (scs - (at % scs)));
    for (let next = sc + 1; end < out.length && subclusterSource(m, next) === source; next++) {
      end = Math.min(out.length, end + scs);
    }
    readFrom(s, source, m, at, out.subarray(pos, end));
    pos = end;
  }
}

function subclusterSource(m: ClusterMapping, sc: number): Source {
  const bit = 1 << sc;
  if (m.type === ClusterType.normal && (m.allocBits & bit) !== 0) return Source.host;
  return (m.zeroBits & bit) !== 0 ? Source.zero : Source.backing;
}

function readFrom(s: Qcow2State, source: Source, m: ClusterMapping, guest: number, out: Uint8Array): void {
  if (source === Source.host) {
    const at = m.hostOffsetBytes + offsetIntoCluster(s.g, guest);
    if (s.device.readInto) s.device.readInto(at, out);
    else out.set(s.device.read(at, out.length));
  } else if (source === Source.backing && s.backing) {
    s.backing.readInto(guest, out);
  } else {
    out.fill(0);
  }
}
