/**
 * Header updates (ORD-8). A running image changes its header only through small synced writes of one
 * field group (the L1 pointer, the reftable pointer, the snapshot list pointer, the size, the
 * feature words): each fits in the first sector, so it lands whole or not at all. The whole cluster 0
 * is written only when an image is created.
 */
import { encodeHeader, headerFieldOffsets } from '../../../spec/format/header.js';
import type { Qcow2State } from './state.js';

/** Field groups QEMU updates with one small synced write each (ORD-6..ORD-9, LAZY-2). */
const headerFieldGroups = {
  size: { offsetBytes: 24, lengthBytes: 8 },
  l1: { offsetBytes: headerFieldOffsets.l1Size, lengthBytes: 12 },
  reftable: { offsetBytes: headerFieldOffsets.refcountTableOffset, lengthBytes: 12 },
  snapshots: { offsetBytes: headerFieldOffsets.snapshotCount, lengthBytes: 12 },
  incompatible: { offsetBytes: headerFieldOffsets.incompatibleFeatures, lengthBytes: 8 },
  autoclear: { offsetBytes: headerFieldOffsets.autoclearFeatures, lengthBytes: 8 },
} as const;

type HeaderFieldGroup = keyof typeof headerFieldGroups;

const SECTOR_BYTES = 512;

/**
 * Writes one field group of `s.header` (already updated in memory) to disk. `sync` (the default)
 * flushes afterwards, the "commit by one small synced pointer write" of ORD-11.
 */
export function commitHeaderFields(s: Qcow2State, group: HeaderFieldGroup, opts: { sync?: boolean } = {}): void {
  const encoded = encodeHeader(s.header);
  s.cluster0.set(encoded, 0);
  // MUT-27 header-rewrite-in-place: rewrite cluster 0 as zeros then sectors, unflushed (ORD-8).
  if (s.mut['header-rewrite-in-place']) return rewriteHeaderInPlace(s);
  const { offsetBytes, lengthBytes } = headerFieldGroups[group];
  s.device.write(offsetBytes, encoded.subarray(offsetBytes, offsetBytes + lengthBytes));
  if (opts.sync !== false) s.device.flush();
}

/** The broken way (MUT-27): clear cluster 0, then write it back one sector at a time, no flush. */
function rewriteHeaderInPlace(s: Qcow2State): void {
  s.device.writeZeroes(0, s.cluster0.length);
  for (let p = 0; p < s.cluster0.length; p += SECTOR_BYTES) {
    s.device.write(p, s.cluster0.subarray(p, Math.min(s.cluster0.length, p + SECTOR_BYTES)));
  }
}
