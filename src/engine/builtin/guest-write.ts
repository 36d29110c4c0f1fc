/**
 * Guest writes over any range: split at cluster boundaries, each piece written by writeInCluster.
 */
import { offsetIntoCluster } from '../../../spec/format/geometry.js';
import type { Qcow2State } from './state.js';
import { writeInCluster } from './write-cluster.js';

/** Writes `data` at guest offset `guestOffsetBytes` (the caller checked the range). */
export function writeGuest(s: Qcow2State, guestOffsetBytes: number, data: Uint8Array): void {
  const cs = s.g.clusterSizeBytes;
  let pos = 0;
  while (pos < data.length) {
    const guest = guestOffsetBytes + pos;
    const n = Math.min(data.length - pos, cs - offsetIntoCluster(s.g, guest));
    writeInCluster(s, guest, data.subarray(pos, pos + n));
    pos += n;
  }
}
