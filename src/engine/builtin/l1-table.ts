/**
 * The active L1 table (L1-1, L1-2): entries read from the in-memory copy, written back one aligned
 * 512-byte chunk at a time with a flush (the synced pointer write of ORD-5), and grown (ORD-6).
 */
import { clusterCountToSize, sizeToClusterCount } from '../../../spec/format/geometry.js';
import { hasCopied, l1EntryHi, l1EntryL2OffsetBytes, l1EntryLo } from '../../../spec/format/l1-entry.js';
import { limits } from '../../../spec/format/limits.js';
import { EngineError } from '../engine-error.js';
import { hex } from '../../../spec/format/bounded-reader.js';
import { allocClusters } from './allocate.js';
import { getU32, setU32 } from './be32.js';
import { checkedOffset } from './checked-offset.js';
import { commitHeaderFields } from './header-update.js';
import { updateRefcount } from './refcounts.js';
import type { Qcow2State } from './state.js';

/** Bytes QEMU writes for one L1 entry update: the aligned sector around it. */
const L1_CHUNK_BYTES = 512;

/** L2 table offset of L1 entry `index` (0 = none); FormatError L1-2 when unaligned or unusable. */
export function l1L2Offset(s: Qcow2State, index: number): number {
  const b = s.l1.bytes;
  const offset = l1EntryL2OffsetBytes(getU32(b, index * 8), getU32(b, index * 8 + 4));
  return checkedOffset(offset, s.g.clusterSizeBytes, s.g.clusterSizeBytes, 'L1-2', () => `L1[${index}] @${hex(s.l1.offsetBytes + index * 8)}`);
}

/** COPIED flag of L1 entry `index`. */
export function l1Copied(s: Qcow2State, index: number): boolean {
  return hasCopied(getU32(s.l1.bytes, index * 8));
}

/** Sets L1 entry `index` in memory only. */
export function setL1Entry(s: Qcow2State, index: number, l2OffsetBytes: number, copied: boolean): void {
  setU32(s.l1.bytes, index * 8, l1EntryHi(l2OffsetBytes, copied));
  setU32(s.l1.bytes, index * 8 + 4, l1EntryLo(l2OffsetBytes));
}

/** Writes the aligned chunk holding L1 entry `index` and flushes (ORD-5 qcow2_write_l1_entry). */
export function writeL1Entry(s: Qcow2State, index: number): void {
  const start = Math.floor((index * 8) / L1_CHUNK_BYTES) * L1_CHUNK_BYTES;
  const end = Math.min(start + L1_CHUNK_BYTES, s.l1.bytes.length);
  s.device.write(s.l1.offsetBytes + start, s.l1.bytes.subarray(start, end));
  s.device.flush();
}

/** Writes the whole active L1 table and flushes. */
export function writeL1Table(s: Qcow2State): void {
  s.device.write(s.l1.offsetBytes, s.l1.bytes);
  s.device.flush();
}

/**
 * Grows the active L1 to at least `entryCount` entries (ORD-6): allocate, make the refcounts
 * durable, write the new table synced, switch the header {l1_size, l1_table_offset} synced, then free
 * the old table. Throws EngineError EFBIG past QEMU's 32 MiB L1 limit (HDR-8).
 */
export function growL1(s: Qcow2State, entryCount: number): void {
  if (entryCount <= s.l1.entryCount) return;
  if (entryCount * 8 > limits.l1SizeBytesMax) throw new EngineError('EFBIG', `L1 table of ${entryCount} entries exceeds ${limits.l1SizeBytesMax} bytes (HDR-8)`);
  const clusters = sizeToClusterCount(s.g, entryCount * 8);
  const newOffset = allocClusters(s, clusters);
  // ORD-6: the new table's refcounts are on disk before the table is used.
  s.refblockCache.flush();
  const bytes = new Uint8Array(clusterCountToSize(s.g, clusters));
  bytes.set(s.l1.bytes.subarray(0, s.l1.entryCount * 8));
  s.device.write(newOffset, bytes);
  s.device.flush();
  const old = { offsetBytes: s.l1.offsetBytes, sizeBytes: s.l1.bytes.length };
  s.header.l1EntryCount = entryCount;
  s.header.l1TableOffset = BigInt(newOffset);
  commitHeaderFields(s, 'l1'); // ORD-6: one synced write switches to the new table
  Object.assign(s.l1, { offsetBytes: newOffset, entryCount, bytes });
  if (old.offsetBytes !== 0) updateRefcount(s, old.offsetBytes, old.sizeBytes, -1);
}
