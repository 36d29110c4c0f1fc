/**
 * ActiveL1Table: the image's active L1 table (L1-1, L1-2), read once and checked before anything
 * is allocated from its header fields: size against QEMU's 32 MiB limit (QIMPL-L1-SIZE), entry
 * count against the virtual size (HDR-8), offset aligned (HDR-7). Only the entries covering the
 * virtual size are read; later ones belong to the VM state area (SN-7).
 */
import { hex } from '../format/bounded-reader.js';
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { FormatError } from '../format/format-error.js';
import { sizeToL1EntryCount } from '../format/geometry.js';
import type { ImageMeta } from '../format/image-meta.js';
import { L1_OFFSET_HI_MASK, L1_OFFSET_LO_MASK } from '../format/l1-entry.js';
import { limits } from '../format/limits.js';
import { joinHalves, TableView } from '../format/table-view.js';

/** High-word bits 21..23 (offset bits 53..55): a number can no longer hold the offset exactly. */
export const INEXACT_HI_MASK = 0x00e00000;

export class ActiveL1Table {
  private readonly table: TableView;
  private readonly offsetBytes: number;
  private readonly clusterSizeBytes: number;

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
    if (h.l1TableOffset % BigInt(g.clusterSizeBytes) !== 0n || h.l1TableOffset > BigInt(limits.safeOffsetBytesMax)) {
      throw new FormatError('HDR-7', 'header.l1_table_offset @40', `L1 table offset ${hex(h.l1TableOffset)} is not a cluster-aligned file offset`);
    }
    this.clusterSizeBytes = g.clusterSizeBytes;
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
    const l2OffsetBytes = joinHalves(hi & L1_OFFSET_HI_MASK, (lo & L1_OFFSET_LO_MASK) >>> 0);
    if ((hi & INEXACT_HI_MASK) !== 0 || l2OffsetBytes % this.clusterSizeBytes !== 0) {
      const rule = (hi & INEXACT_HI_MASK) !== 0 ? 'CRASHCOW-OFFSET' : 'L1-2';
      throw new FormatError(rule, `L1[${l1Index}] @${hex(this.offsetBytes + l1Index * 8)}`, `L2 table offset ${hex(l2OffsetBytes)} is not a usable cluster-aligned offset`);
    }
    return l2OffsetBytes;
  }
}
