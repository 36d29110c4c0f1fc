/**
 * Qcow2Mapping: what one qcow2 image's active L1/L2 tables say about a guest range, as uniform
 * runs (LayerRun) in QEMU block-status terms. Standard entries (L2-1..L2-7) and extended entries
 * with subclusters (XL2-1..XL2-4). The backing file and the data bytes are not its business.
 *
 * Hot path: entries are decoded from their 32-bit halves, whole L2 tables come from a bounded
 * cache, and an absent L2 table is skipped as one run (a sparse 1 TiB image is a few L1 reads).
 * Throws FormatError for mapping the spec forbids: unaligned L2 or cluster offsets (L1-2, L2-3),
 * a zero flag in a v2 image (L2-6), data-file offset mismatch or compression (L2-7), invalid
 * subcluster bitmaps (XL2-3, XL2-4), offsets a JS number cannot hold exactly (CRASHCOW-OFFSET).
 */
import { hex } from '../format/bounded-reader.js';
import type { ByteSource } from '../format/byte-source.js';
import { FormatError } from '../format/format-error.js';
import { incompatibleBits } from '../format/feature-bits.js';
import { guestOffsetToL2Index, isClusterAligned, offsetToClusterStart, type Geometry } from '../format/geometry.js';
import type { ImageMeta } from '../format/image-meta.js';
import { ClusterType, clusterTypeOf, hasCompressedFlag, hasZeroFlag, l2HostOffsetBytes, SubclusterType, subclusterTypeOf } from '../format/l2-entry.js';
import { CLAMPED_OFFSET_BYTES, type TableView } from '../format/table-view.js';
import { ActiveL1Table } from './active-l1-table.js';
import { L2TableCache } from './l2-table-cache.js';
import { RunFlag, type LayerRun } from './layer.js';

/** Run flags of each SubclusterType (index = type value; invalid never reaches the table). */
const SUBCLUSTER_FLAGS = [
  0, // unallocated-plain: the layer below
  RunFlag.offsetValid, // unallocated-alloc: the layer below, host space reserved
  RunFlag.zero, // zero-plain
  RunFlag.zero | RunFlag.offsetValid, // zero-alloc
  RunFlag.data | RunFlag.offsetValid, // normal
  RunFlag.data | RunFlag.compressed, // compressed
];

export class Qcow2Mapping {
  readonly geometry: Geometry;
  readonly virtualSizeBytes: number;
  /** Halves of the L2 entry behind the last unit looked at (compressed descriptors). */
  entryHi = 0;
  entryLo = 0;
  private readonly l1: ActiveL1Table;
  private readonly cache: L2TableCache;
  private readonly v2: boolean;
  private readonly externalData: boolean;
  private unitFlags = 0;
  private unitHostBytes = -1;
  private unitEndBytes = 0;
  private skipHostBytes = -1;

  /** Reads the active L1 table. Throws FormatError for HDR-7, HDR-8, QIMPL-L1-SIZE (see ActiveL1Table). */
  constructor(meta: ImageMeta, source: ByteSource, l2CacheBytes?: number) {
    const h = meta.header;
    this.geometry = meta.geometry;
    this.virtualSizeBytes = meta.geometry.virtualSizeBytes;
    this.v2 = h.version < 3;
    this.externalData = !this.v2 && (h.incompatibleFeatures & incompatibleBits.externalDataFile) !== 0n;
    this.l1 = new ActiveL1Table(meta, source);
    this.cache = new L2TableCache(source, this.geometry.clusterSizeBytes, l2CacheBytes);
  }

  /** Writes the longest uniform run at `guestOffsetBytes`, at most `maxLengthBytes`, into `out`. */
  runAt(guestOffsetBytes: number, maxLengthBytes: number, out: LayerRun): void {
    const coverageBytes = this.geometry.l2CoverageBytes;
    const endBytes = Math.min(guestOffsetBytes + maxLengthBytes, this.virtualSizeBytes);
    let l1Index = Math.floor(guestOffsetBytes / coverageBytes);
    const l2OffsetBytes = this.l1.l2OffsetAt(l1Index);
    if (l2OffsetBytes === 0) {
      let pos = (l1Index + 1) * coverageBytes;
      while (pos < endBytes && this.l1.l2OffsetAt(++l1Index) === 0) pos += coverageBytes;
      out.flags = 0;
      out.hostOffsetBytes = -1;
      out.lengthBytes = Math.min(pos, endBytes) - guestOffsetBytes;
      return;
    }
    const table = this.cache.get(l2OffsetBytes);
    const tableEndBytes = Math.min(endBytes, (l1Index + 1) * coverageBytes);
    this.unitAt(table, l2OffsetBytes, guestOffsetBytes);
    const flags = this.unitFlags;
    out.flags = flags;
    out.hostOffsetBytes = this.unitHostBytes;
    let expectHostBytes = this.unitHostBytes < 0 ? -1 : this.unitHostBytes + this.unitEndBytes - guestOffsetBytes;
    let pos = this.unitEndBytes;
    for (;;) {
      if (!this.geometry.extendedL2) {
        pos = this.skipPlainRun(table, pos, tableEndBytes, flags, expectHostBytes);
        if (expectHostBytes >= 0) expectHostBytes = this.skipHostBytes;
      }
      if (pos >= tableEndBytes) break;
      this.unitAt(table, l2OffsetBytes, pos);
      if (this.unitFlags !== flags || this.unitHostBytes !== expectHostBytes) break;
      if (expectHostBytes >= 0) expectHostBytes += this.unitEndBytes - pos;
      pos = this.unitEndBytes;
    }
    out.lengthBytes = Math.min(pos, tableEndBytes) - guestOffsetBytes;
  }

  /**
   * Fast path for standard entries (pos is cluster-aligned): skips entries that trivially continue
   * the run: all-zero entries after an unallocated run, or entries with the same zero flag and the
   * next host offset after a run with offsets (alignment and the data-file rule then hold by
   * induction). Returns where it stopped; skipHostBytes is the host offset expected there.
   */
  private skipPlainRun(table: TableView, pos: number, endBytes: number, flags: number, expectHostBytes: number): number {
    const clusterBytes = this.geometry.clusterSizeBytes;
    let index = guestOffsetToL2Index(this.geometry, pos);
    let host = expectHostBytes;
    if (flags === 0) {
      while (pos < endBytes && (table.hi(index) | table.lo(index)) === 0) {
        pos += clusterBytes;
        index++;
      }
    } else if (host >= 0) {
      const zero = (flags & RunFlag.zero) !== 0;
      while (pos < endBytes) {
        const hi = table.hi(index);
        const lo = table.lo(index);
        if (hasCompressedFlag(hi) || hasZeroFlag(lo) !== zero || l2HostOffsetBytes(hi, lo) !== host) break;
        pos += clusterBytes;
        host += clusterBytes;
        index++;
      }
    }
    this.skipHostBytes = host;
    return pos;
  }

  /** Loads the L2 entry of the cluster at `guestOffsetBytes` into entryHi/entryLo; false if no L2 table. */
  loadEntry(guestOffsetBytes: number): boolean {
    const l2OffsetBytes = this.l1.l2OffsetAt(Math.floor(guestOffsetBytes / this.geometry.l2CoverageBytes));
    if (l2OffsetBytes === 0) return false;
    this.unitAt(this.cache.get(l2OffsetBytes), l2OffsetBytes, guestOffsetBytes);
    return true;
  }

  /** Sets unitFlags/unitHostBytes/unitEndBytes for the uniform piece of one cluster at `pos`. */
  private unitAt(table: TableView, l2OffsetBytes: number, pos: number): void {
    const g = this.geometry;
    const clusterStart = offsetToClusterStart(g, pos);
    const index = guestOffsetToL2Index(g, pos);
    const word = g.extendedL2 ? index * 2 : index;
    const hi = table.hi(word);
    const lo = table.lo(word);
    this.entryHi = hi;
    this.entryLo = lo;
    const type = clusterTypeOf(hi, lo, g.extendedL2, this.externalData);
    const hostCluster = this.checkedHost(type, hi, lo, clusterStart, l2OffsetBytes, index);
    if (!g.extendedL2 || type === ClusterType.compressed) {
      this.unitFlags = this.standardFlags(type, l2OffsetBytes, index);
      this.unitHostBytes = hostCluster < 0 ? -1 : hostCluster + (pos - clusterStart);
      this.unitEndBytes = clusterStart + g.clusterSizeBytes;
      return;
    }
    const zeroBits = table.hi(word + 1);
    const allocBits = table.lo(word + 1);
    const first = Math.floor((pos - clusterStart) / g.subclusterSizeBytes);
    const st = subclusterTypeOf(type, allocBits, zeroBits, first);
    if (st === SubclusterType.invalid) {
      const rule = type === ClusterType.normal ? 'XL2-3' : 'XL2-4';
      const why = rule === 'XL2-3' ? 'a subcluster is both allocated and zero' : 'an unallocated cluster has allocated subclusters';
      throw new FormatError(rule, this.where(l2OffsetBytes, index), `invalid subcluster bitmap alloc=${hex(allocBits >>> 0)} zero=${hex(zeroBits >>> 0)}: ${why}`);
    }
    let next = first + 1;
    while (next < 32 && subclusterTypeOf(type, allocBits, zeroBits, next) === st) next++;
    this.unitFlags = SUBCLUSTER_FLAGS[st];
    this.unitHostBytes = (this.unitFlags & RunFlag.offsetValid) !== 0 ? hostCluster + (pos - clusterStart) : -1;
    this.unitEndBytes = clusterStart + next * g.subclusterSizeBytes;
  }

  private standardFlags(type: ClusterType, l2OffsetBytes: number, index: number): number {
    switch (type) {
      case ClusterType.unallocated:
        return 0;
      case ClusterType.normal:
        return RunFlag.data | RunFlag.offsetValid;
      case ClusterType.compressed:
        if (this.externalData) throw new FormatError('L2-7', this.where(l2OffsetBytes, index), 'compressed cluster in an image with an external data file');
        return RunFlag.data | RunFlag.compressed;
      default:
        if (this.v2) throw new FormatError('L2-6', this.where(l2OffsetBytes, index), 'zero flag in a version 2 image');
        return type === ClusterType.zeroPlain ? RunFlag.zero : RunFlag.zero | RunFlag.offsetValid;
    }
  }

  /** Host cluster offset of a normal or zero-alloc entry (else -1), checked (L2-3, L2-7). */
  private checkedHost(type: ClusterType, hi: number, lo: number, guestClusterBytes: number, l2OffsetBytes: number, index: number): number {
    if (type !== ClusterType.normal && type !== ClusterType.zeroAlloc) return -1;
    const hostBytes = l2HostOffsetBytes(hi, lo);
    if (hostBytes >= CLAMPED_OFFSET_BYTES) {
      throw new FormatError('CRASHCOW-OFFSET', this.where(l2OffsetBytes, index), `host offset ${hex(hostBytes)} is beyond 2^53`);
    }
    if (!isClusterAligned(this.geometry, hostBytes)) {
      throw new FormatError('L2-3', this.where(l2OffsetBytes, index), `host cluster offset ${hex(hostBytes)} is not cluster-aligned`);
    }
    if (this.externalData && hostBytes !== guestClusterBytes) {
      throw new FormatError('L2-7', this.where(l2OffsetBytes, index), `data file offset ${hex(hostBytes)} differs from the guest offset ${hex(guestClusterBytes)}`);
    }
    return hostBytes;
  }

  private where(l2OffsetBytes: number, index: number): string {
    return `L2[${index}] @${hex(l2OffsetBytes + index * this.geometry.l2EntrySizeBytes)}`;
  }
}
