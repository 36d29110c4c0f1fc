/**
 * ActiveL1Table: the image's active L1 table (L1-1, L1-2), read once and checked before anything
 * is allocated from its header fields: size against QEMU's 32 MiB limit (QIMPL-L1-SIZE), entry
 * count against the virtual size (HDR-8), offset aligned (HDR-7). Only the entries covering the
 * virtual size are read; later ones belong to the VM state area (SN-7).
 */
import { hex } from '../format/bounded-reader.js';
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { FormatError } from '../format/format-error.js';
import { isClusterAligned, sizeToL1EntryCount, type Geometry } from '../format/geometry.js';
import type { ImageMeta } from '../format/image-meta.js';
import { l1EntryL2OffsetBytes } from '../format/l1-entry.js';
import { limits } from '../format/limits.js';
import { CLAMPED_OFFSET_BYTES, TableView } from '../format/table-view.js';

export class ActiveL1Table {
  private readonly table: TableView;
  private readonly offsetBytes: number;
  private readonly geometry: Geometry;

  /** Reads the table. Throws FormatError for QIMPL-L1-SIZE, HDR-8 and HDR-7. */
  constructor(meta: ImageMeta, source: ByteSource) {
    const h = meta.header;
    const g = meta.geometry;
    const neededCount = sizeToL1EntryCount(g, g.virtualSizeBytes);
    if (h.l1EntryCount * 8 > limits.l1SizeBytesMax) {
      throw new FormatError('QIMPL-L1-SIZE', 'header.l1_size @36', `L1 of ${h.l1EntryCount} entries exceeds ${limits.l1SizeBytesMax} bytes`);
    }
    if (h.l1EntryCount < neededCount) {
      throw new FormatError('HDR-8', 'header.l1_size @36', `L1 has ${h.l1EntryCount} entries, the virtual size needs ${neededCount}`);
    }
    if (!isClusterAligned(g, h.l1TableOffset) || h.l1TableOffset > BigInt(limits.safeOffsetBytesMax)) {
      throw new FormatError('HDR-7', 'header.l1_table_offset @40', `L1 table offset ${hex(h.l1TableOffset)} is not a cluster-aligned file offset`);
    }
    this.geometry = g;
    this.offsetBytes = Number(h.l1TableOffset);
    this.table = new TableView(readPadded(source, this.offsetBytes, neededCount * 8));
  }

  /**
   * The L2 table offset in entry `l1Index` (0 = no L2 table). Throws FormatError L1-2 when it is
   * not cluster-aligned, CRASHCOW-OFFSET when it lies beyond 2^53.
   */
  l2OffsetAt(l1Index: number): number {
    const hi = this.table.hi(l1Index);
    const lo = this.table.lo(l1Index);
    const l2OffsetBytes = l1EntryL2OffsetBytes(hi, lo);
    // At or above 2^53 a number no longer holds the offset exactly.
    const inexact = l2OffsetBytes >= CLAMPED_OFFSET_BYTES;
    if (inexact || !isClusterAligned(this.geometry, l2OffsetBytes)) {
      const rule = inexact ? 'CRASHCOW-OFFSET' : 'L1-2';
      throw new FormatError(rule, `L1[${l1Index}] @${hex(this.offsetBytes + l1Index * 8)}`, `L2 table offset ${hex(l2OffsetBytes)} is not a usable cluster-aligned offset`);
    }
    return l2OffsetBytes;
  }
}
