/**
 * Map extents: the guest disk as maximal runs of equal block status, exactly as `qemu-img map
 * --output=json` (7.2) lists them. Two neighbouring ranges merge when depth, present, zero and
 * data are equal and either both lack an offset or the second continues the first's offset in
 * the same file (qemu-img.c entry_mergeable). Compressed clusters are data without an offset
 * (7.2 has no "compressed" field). Streams extents, so a huge fragmented image needs no big array.
 */
import { chainStatusAt, newChainStatus, type ChainStatus } from './block-status.js';
import { newLayerRun, type GuestLayer } from './layer.js';

export interface MapExtent {
  /** Guest offset in bytes. */
  start: number;
  /** Length in bytes. */
  length: number;
  depth: number;
  present: boolean;
  zero: boolean;
  data: boolean;
  /** Host offset in `file`, when the range has one. */
  offset?: number;
  /** File that `offset` refers to (not part of qemu-img's JSON; its human output shows it). */
  file?: string;
}

/** Yields the merged extents of the whole guest disk, in order. Throws what chainStatusAt throws. */
export function* mapExtents(top: GuestLayer): Generator<MapExtent> {
  const sizeBytes = top.virtualSizeBytes;
  const status = newChainStatus();
  const run = newLayerRun();
  let current: MapExtent | null = null;
  for (let pos = 0; pos < sizeBytes; pos += status.lengthBytes) {
    chainStatusAt(top, pos, sizeBytes - pos, status, run);
    if (current && mergeable(current, status)) {
      current.length += status.lengthBytes;
      continue;
    }
    if (current) yield current;
    current = extentOf(pos, status);
  }
  if (current) yield current;
}

function mergeable(current: MapExtent, next: ChainStatus): boolean {
  if (current.depth !== next.depth || current.present !== next.present) return false;
  if (current.zero !== next.zero || current.data !== next.data) return false;
  if (current.offset === undefined) return next.hostOffsetBytes < 0;
  return next.hostOffsetBytes === current.offset + current.length && next.fileName === current.file;
}

function extentOf(start: number, s: ChainStatus): MapExtent {
  const extent: MapExtent = { start, length: s.lengthBytes, depth: s.depth, present: s.present, zero: s.zero, data: s.data };
  if (s.hostOffsetBytes >= 0) {
    extent.offset = s.hostOffsetBytes;
    extent.file = s.fileName;
  }
  return extent;
}
