/**
 * Persistent bitmaps (BM-1..BM-3): the bitmap directory and bitmap table entries.
 */
import { BoundedReader, hex } from './bounded-reader.js';
import { FormatError } from './format-error.js';
import { limits } from './limits.js';
import { joinHalves } from './table-view.js';

export const bitmapFlags = { inUse: 1, auto: 2, extraDataCompatible: 4 } as const;

export interface BitmapDirectoryEntry {
  entryOffsetBytes: number;
  tableOffset: bigint;
  /** Number of u64 entries in the bitmap table. */
  tableEntryCount: number;
  flags: number;
  type: number;
  granularityBits: number;
  name: string;
  extraData: Uint8Array;
}

/**
 * Decodes `count` directory entries from `directory` (the whole directory, `directorySizeBytes`
 * long, read at `baseOffsetBytes`). Throws FormatError BM-1/BM-2 on truncation or oversized names.
 */
export function decodeBitmapDirectory(directory: Uint8Array, baseOffsetBytes: number, count: number): BitmapDirectoryEntry[] {
  const r = new BoundedReader(directory, baseOffsetBytes, 'BM-1', 'bitmap directory');
  const entries: BitmapDirectoryEntry[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const nameBytes = r.u16(pos + 18);
    const extraBytes = r.u32(pos + 20);
    if (nameBytes > limits.bitmapNameBytesMax) {
      throw new FormatError('BM-2', `bitmap[${i}].name_size @${hex(baseOffsetBytes + pos + 18)}`, `name of ${nameBytes} bytes exceeds ${limits.bitmapNameBytesMax}`);
    }
    const entry: BitmapDirectoryEntry = {
      entryOffsetBytes: baseOffsetBytes + pos,
      tableOffset: r.u64(pos),
      tableEntryCount: r.u32(pos + 8),
      flags: r.u32(pos + 12),
      type: r.u8(pos + 16),
      granularityBits: r.u8(pos + 17),
      extraData: r.slice(pos + 24, extraBytes).slice(),
      name: r.text(pos + 24 + extraBytes, nameBytes),
    };
    entries.push(entry);
    pos += Math.ceil((24 + extraBytes + nameBytes) / 8) * 8;
  }
  return entries;
}

export interface BitmapTableEntry {
  /** Data cluster offset; 0 means the cluster is all zeros or all ones (see allOnes). */
  dataOffsetBytes: number;
  /** Bit 0 with offset 0: the whole cluster reads as ones (BM-3). */
  allOnes: boolean;
  reservedBitsSet: boolean;
}

/** Data offset bits 9..55, reserved bits 56..63 and 1..8, and bit 0 ("all ones") of a bitmap table entry. */
const BITMAP_ENTRY_OFFSET_HI_MASK = 0x00ffffff;
const BITMAP_ENTRY_OFFSET_LO_MASK = 0xfffffe00;
const BITMAP_ENTRY_RESERVED_HI_MASK = 0xff000000;
const BITMAP_ENTRY_RESERVED_LO_MASK = 0x000001fe;
const BITMAP_ENTRY_ALL_ONES_LO_BIT = 0x1;

/** Decodes a bitmap table entry from its halves (BM-3). */
export function decodeBitmapTableEntry(hi: number, lo: number): BitmapTableEntry {
  return {
    dataOffsetBytes: bitmapTableEntryDataOffsetBytes(hi, lo),
    allOnes: bitmapTableEntryAllOnes(lo),
    reservedBitsSet: bitmapTableEntryReservedBitsSet(hi, lo),
  };
}

/** Data cluster offset (bits 9..55) of the bitmap table entry with halves (hi, lo); 0 = none. */
export function bitmapTableEntryDataOffsetBytes(hi: number, lo: number): number {
  return joinHalves(hi & BITMAP_ENTRY_OFFSET_HI_MASK, (lo & BITMAP_ENTRY_OFFSET_LO_MASK) >>> 0);
}

/** Bit 0 of a bitmap table entry with low half `lo` (with offset 0: the cluster reads as ones). */
function bitmapTableEntryAllOnes(lo: number): boolean {
  return (lo & BITMAP_ENTRY_ALL_ONES_LO_BIT) !== 0;
}

/** Any reserved bit (1..8 or 56..63) of the bitmap table entry with halves (hi, lo) is set (BM-3). */
function bitmapTableEntryReservedBitsSet(hi: number, lo: number): boolean {
  return (hi & BITMAP_ENTRY_RESERVED_HI_MASK) !== 0 || (lo & BITMAP_ENTRY_RESERVED_LO_MASK) !== 0;
}
