/**
 * What a table entry means, in a few words, decoded by the spec/format codecs: L1 entries
 * ("L2 @0xc00 COPIED"), L2 entries ("0xe00 COPIED", "zero", "compressed @0x..."), refcount table
 * entries ("refcount block @0x600"). Entries come as their two 32-bit halves.
 */
import { decodeCompressedDescriptor } from '../format/compressed-descriptor.js';
import type { Geometry } from '../format/geometry.js';
import { decodeL1Entry, hasCopied } from '../format/l1-entry.js';
import { ClusterType, clusterTypeOf, l2HostOffsetBytes } from '../format/l2-entry.js';
import { decodeRefcountTableEntry } from '../format/refcount-table-entry.js';
import { hex } from './change-label.js';

const copiedText = (hi: number): string => (hasCopied(hi) ? ' COPIED' : '');

export function l1EntryMeaning(hi: number, lo: number): string {
  if ((hi | lo) === 0) return 'none';
  const e = decodeL1Entry(hi, lo);
  return `L2 @${hex(e.l2OffsetBytes)}${e.copied ? ' COPIED' : ''}${e.reservedBitsSet ? ' (reserved bits set)' : ''}`;
}

/** An L2 entry's first word; with extended L2, `bitmap` is the second word as 16 hex digits. */
export function l2EntryMeaning(hi: number, lo: number, g: Geometry, bitmap?: string): string {
  const sub = bitmap !== undefined && bitmap !== '0000000000000000' ? ` bitmap ${bitmap}` : '';
  switch (clusterTypeOf(hi, lo, g.extendedL2, false)) {
    case ClusterType.unallocated:
      return `unallocated${copiedText(hi)}${sub}`;
    case ClusterType.zeroPlain:
      return `zero${copiedText(hi)}`;
    case ClusterType.zeroAlloc:
      return `zero @${hex(l2HostOffsetBytes(hi, lo))}${copiedText(hi)}`;
    case ClusterType.compressed: {
      const d = decodeCompressedDescriptor(hi, lo, g.clusterBits);
      return `compressed @${hex(d.hostOffsetBytes)} (${d.sizeBytes} bytes)${copiedText(hi)}`;
    }
    default:
      return `${hex(l2HostOffsetBytes(hi, lo))}${copiedText(hi)}${sub}`;
  }
}

export function reftableEntryMeaning(hi: number, lo: number): string {
  if ((hi | lo) === 0) return 'none';
  return `refcount block @${hex(decodeRefcountTableEntry(hi, lo).refblockOffsetBytes)}`;
}
