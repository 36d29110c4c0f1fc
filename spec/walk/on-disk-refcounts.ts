/**
 * OnDiskRefcounts: the refcounts the image stores (RC-1..RC-3), read once through the refcount
 * table and blocks in big sequential reads.
 *
 * Kept one byte per cluster, saturated at 255 (exact below; `exact` re-reads the rare larger
 * values). A refcount block at an unaligned offset, or past QEMU's request range, cannot be read:
 * QEMU then fails every lookup in it, and so does this reader (`unreadable`).
 */
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { clusterIndexToRefblockIndex, clusterIndexToReftableIndex, type ClusterSize, type RefblockSize } from '../format/geometry.js';
import { getRefcount } from '../format/refcount-block.js';
import { reftableEntryOffsetAligned, reftableEntryOffsetBytesClamped, reftableEntryOffsetWord } from '../format/refcount-table-entry.js';
import { CLAMPED_OFFSET_BYTES, TableView } from '../format/table-view.js';
import { beyondQemuRequestRange } from '../invariants/limits.js';
import { checkLimits } from './check-limits.js';
import { ScratchReader } from './scratch-reader.js';

/** Returned by `exact` for a cluster whose refcount block cannot be read. */
export const UNREADABLE = -1;

/**
 * The stored refcounts of another image with the same refcount table (a crash state of it):
 * its saturated values, and the reftable indexes whose refcount blocks may hold other bytes here.
 */
export interface DerivedRefcounts {
  saturated: Uint8Array;
  reloadBlocks: Iterable<number>;
}

export class OnDiskRefcounts {
  /** min(refcount, 255) for clusters [0, saturated.length). */
  readonly saturated: Uint8Array;
  /** Reftable indexes whose refcount block offset is unaligned. */
  readonly unreadable = new Set<number>();
  readonly reftable: TableView;
  /** log2 of the entries per refcount block. */
  readonly refblockBits: number;
  /** Cluster and refcount block sizes, for the geometry helpers. */
  private readonly sizes: ClusterSize & RefblockSize;
  private cachedIndex = -1;
  private cachedBlock: Uint8Array = new Uint8Array(0);

  /**
   * @param reftableBytes the refcount table as read (entries past the file end are zero), at most
   *   8 MiB (QIMPL-REFTABLE-SIZE, checked before)
   * @param clusterCount clusters to load into `saturated` (the file's, plus the spare one)
   */
  constructor(
    private readonly source: ByteSource,
    reftableBytes: Uint8Array,
    readonly clusterBits: number,
    readonly refcountOrder: number,
    clusterCount: number,
    derivedFrom?: DerivedRefcounts,
  ) {
    this.reftable = new TableView(reftableBytes);
    this.refblockBits = clusterBits + 3 - refcountOrder;
    this.sizes = { clusterSizeBytes: 2 ** clusterBits, refblockEntryCount: 2 ** this.refblockBits };
    this.saturated = new Uint8Array(clusterCount);
    if (derivedFrom === undefined) this.load();
    else this.loadDerived(derivedFrom.saturated, derivedFrom.reloadBlocks);
  }

  get reftableEntryCount(): number {
    return this.reftable.wordCount;
  }

  /** The refcount block offset of reftable entry `index` (reserved bits masked, as QEMU looks it up), 0 for none. */
  refblockOffsetOf(index: number): number {
    if (index >= this.reftable.wordCount) return 0;
    return reftableEntryOffsetBytesClamped(this.reftable.hi(index), this.reftable.lo(index));
  }

  /**
   * True when reftable entry `index` names a refcount block QEMU cannot read: at an offset that is
   * not cluster-aligned (RC-1), or ending past its request range (QIMPL-IO-RANGE).
   */
  refblockUnreadable(index: number): boolean {
    if (index >= this.reftable.wordCount) return false;
    const hi = this.reftable.hi(index);
    const lo = this.reftable.lo(index);
    if (!reftableEntryOffsetAligned(lo, this.clusterBits)) return true;
    // Below 2^53 the block ends far inside QEMU's range; only the rare huge offset needs the exact word.
    if (reftableEntryOffsetBytesClamped(hi, lo) < CLAMPED_OFFSET_BYTES) return false;
    return beyondQemuRequestRange(reftableEntryOffsetWord(hi, lo), BigInt(this.sizes.clusterSizeBytes));
  }

  /** The exact stored refcount of a cluster, or UNREADABLE. */
  exact(clusterIndex: number): number {
    const index = clusterIndexToReftableIndex(this.sizes, clusterIndex);
    if (this.refblockUnreadable(index)) return UNREADABLE;
    const offset = this.refblockOffsetOf(index);
    if (offset === 0) return 0;
    if (index !== this.cachedIndex) {
      this.cachedBlock = readPadded(this.source, offset, this.sizes.clusterSizeBytes).slice();
      this.cachedIndex = index;
    }
    return getRefcount(this.cachedBlock, clusterIndexToRefblockIndex(this.sizes, clusterIndex), this.refcountOrder);
  }

  /** min(refcount, 255) of any cluster, or UNREADABLE. */
  saturatedOf(clusterIndex: number): number {
    if (clusterIndex < this.saturated.length) {
      if (this.unreadable.size !== 0 && this.unreadable.has(clusterIndexToReftableIndex(this.sizes, clusterIndex))) return UNREADABLE;
      return this.saturated[clusterIndex];
    }
    const v = this.exact(clusterIndex);
    return v > 255 ? 255 : v;
  }

  /**
   * Takes `from` for the clusters it covers and reads the rest: the refcount blocks `reload`
   * names, and every block of a cluster past `from`'s end.
   */
  private loadDerived(from: Uint8Array, reload: Iterable<number>): void {
    const perBlock = this.sizes.refblockEntryCount;
    this.saturated.set(from.subarray(0, Math.min(from.length, this.saturated.length)));
    const blocks = new Set<number>();
    for (const b of reload) blocks.add(b);
    for (let b = Math.floor(from.length / perBlock); b * perBlock < this.saturated.length; b++) blocks.add(b);
    const reads = new ScratchReader(this.source);
    const limit = Math.min(this.reftable.wordCount, Math.ceil(this.saturated.length / perBlock));
    for (const b of blocks) {
      const first = b * perBlock;
      const count = Math.min(perBlock, this.saturated.length - first);
      if (count <= 0) continue;
      const offset = b < limit ? this.refblockOffsetOf(b) : 0;
      if (offset === 0) {
        this.saturated.fill(0, first, first + count);
        continue;
      }
      if (this.refblockUnreadable(b)) {
        this.unreadable.add(b);
        continue;
      }
      decodeSaturated(reads.read(offset, this.sizes.clusterSizeBytes), this.refcountOrder, this.saturated, first, count);
    }
  }

  private load(): void {
    const clusterSizeBytes = this.sizes.clusterSizeBytes;
    const perBlock = this.sizes.refblockEntryCount;
    const blocks = Math.min(this.reftable.wordCount, Math.ceil(this.saturated.length / perBlock));
    const runMax = Math.max(1, Math.floor(checkLimits.readChunkBytes / clusterSizeBytes));
    const reads = new ScratchReader(this.source);
    let b = 0;
    while (b < blocks) {
      const offset = this.refblockOffsetOf(b);
      if (offset === 0) {
        b++;
        continue;
      }
      if (this.refblockUnreadable(b)) {
        this.unreadable.add(b);
        b++;
        continue;
      }
      let run = 1;
      while (run < runMax && b + run < blocks && this.refblockOffsetOf(b + run) === offset + run * clusterSizeBytes) run++;
      const bytes = reads.read(offset, run * clusterSizeBytes);
      for (let i = 0; i < run; i++) {
        const first = (b + i) * perBlock;
        const count = Math.min(perBlock, this.saturated.length - first);
        decodeSaturated(bytes.subarray(i * clusterSizeBytes, (i + 1) * clusterSizeBytes), this.refcountOrder, this.saturated, first, count);
      }
      b += run;
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes `count` refcounts of a block into `dest[start..]`, each min(value, 255). */
function decodeSaturated(block: Uint8Array, order: number, dest: Uint8Array, start: number, count: number): void {
  switch (order) {
    case 3:
      dest.set(block.subarray(0, count), start);
      return;
    case 4:
      decodeSaturated16(block, dest, start, count);
      return;
    case 5:
      for (let i = 0, p = 0; i < count; i++, p += 4) dest[start + i] = (block[p] | block[p + 1] | block[p + 2]) !== 0 ? 255 : block[p + 3];
      return;
    case 6:
      for (let i = 0, p = 0; i < count; i++, p += 8) {
        const high = block[p] | block[p + 1] | block[p + 2] | block[p + 3] | block[p + 4] | block[p + 5] | block[p + 6];
        dest[start + i] = high !== 0 ? 255 : block[p + 7];
      }
      return;
    default:
      for (let i = 0; i < count; i++) dest[start + i] = getRefcount(block, i, order);
  }
}

/**
 * 16-bit refcounts, two per 32-bit load: when both high bytes are 0 (the common case) the two low
 * bytes are the saturated values; otherwise each entry is saturated on its own.
 */
function decodeSaturated16(block: Uint8Array, dest: Uint8Array, start: number, count: number): void {
  let i = 0;
  if (LITTLE_ENDIAN && block.byteOffset % 4 === 0 && (dest.byteOffset + start) % 2 === 0) {
    const pairs = count >>> 1;
    const words = new Uint32Array(block.buffer, block.byteOffset, pairs);
    const out = new Uint16Array(dest.buffer, dest.byteOffset + start, pairs);
    for (let w = 0; w < pairs; w++) {
      const x = words[w] | 0; // bytes h0 l0 h1 l1, read little-endian
      if ((x & 0x00ff00ff) === 0) out[w] = ((x >>> 8) & 0xff) | ((x >>> 16) & 0xff00);
      else out[w] = ((x & 0xff) !== 0 ? 0xff : (x >>> 8) & 0xff) | ((x & 0xff0000) !== 0 ? 0xff00 : (x >>> 16) & 0xff00);
    }
    i = pairs * 2;
  }
  for (let p = i * 2; i < count; i++, p += 2) dest[start + i] = block[p] !== 0 ? 255 : block[p + 1];
}
