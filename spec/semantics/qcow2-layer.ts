/**
 * Qcow2Layer: a qcow2 image as one GuestLayer. Mapping comes from Qcow2Mapping; data comes from
 * the image file, the external data file (FEAT-3, opened only when a read needs it) or a
 * decompressed cluster. The backing file is also opened only when needed, through a callback, so
 * a caller can refuse (or fail) to follow names from the header at the moment they matter.
 */
import { readPadded } from '../format/byte-source.js';
import { hex } from '../format/bounded-reader.js';
import { cryptMethods, incompatibleBits, incompatibleKnownMask } from '../format/feature-bits.js';
import { FormatError } from '../format/format-error.js';
import type { ImageMeta } from '../format/image-meta.js';
import { readCompressedCluster } from './compressed-cluster.js';
import { probeHole } from './hole-probe.js';
import { newLayerRun, RunFlag, type GuestLayer, type HoleRun, type HostFile, type LayerRun } from './layer.js';
import { detectMetadataPreallocation } from './metadata-preallocation.js';
import { Qcow2Mapping } from './qcow2-mapping.js';

export interface Qcow2LayerOptions {
  name: string;
  meta: ImageMeta;
  /** The image file itself. */
  file: HostFile;
  /** Opens the external data file; required when the image has one (FEAT-3). */
  openDataFile?: () => HostFile;
  /** Name of the external data file for reports (without opening it). */
  dataFileName?: string;
  /** Opens the backing layer, or returns null when there is none. */
  openBacking?: () => GuestLayer | null;
  /** Image file bytes allocated on disk (st_blocks * 512); enables QEMU's preallocation heuristic. */
  allocatedBytes?: number;
  /** Budget for cached L2 tables in bytes. */
  l2CacheBytes?: number;
}

const DATA_AT_OFFSET = RunFlag.data | RunFlag.offsetValid;

export class Qcow2Layer implements GuestLayer {
  readonly name: string;
  readonly virtualSizeBytes: number;
  readonly meta: ImageMeta;
  private readonly mapping: Qcow2Mapping;
  private readonly externalData: boolean;
  private readonly scratch: LayerRun = newLayerRun();
  private readonly hole: HoleRun = { hole: false, lengthBytes: 0 };
  /** The last run the mapping produced, reused while queries stay inside it (hole probes split runs). */
  private readonly lastRun: LayerRun = newLayerRun();
  private lastRunStartBytes = -1;
  private dataFile: HostFile | null = null;
  private backingLayer: GuestLayer | null | undefined;
  private preallocated: boolean | undefined;
  /** The last decompressed cluster and the L2 entry halves it came from. */
  private cachedCluster: Uint8Array | null = null;
  private cachedEntryHi = 0;
  private cachedEntryLo = 0;

  /** Throws FormatError when the image must not be read: FEAT-6, encryption, or a bad L1 (see Qcow2Mapping). */
  constructor(private readonly options: Qcow2LayerOptions) {
    const h = options.meta.header;
    const unknownBits = h.incompatibleFeatures & ~incompatibleKnownMask;
    if (h.version >= 3 && unknownBits !== 0n) {
      throw new FormatError('FEAT-6', 'header.incompatible_features @72', `unknown incompatible feature bits ${hex(unknownBits)}: the image must not be opened`);
    }
    if (h.cryptMethod !== cryptMethods.none) {
      throw new FormatError('CRASHCOW-ENCRYPTED', 'header.crypt_method @32', `encrypted image (method ${h.cryptMethod}): crashcow reads only unencrypted images`);
    }
    this.name = options.name;
    this.meta = options.meta;
    this.externalData = h.version >= 3 && (h.incompatibleFeatures & incompatibleBits.externalDataFile) !== 0n;
    this.mapping = new Qcow2Mapping(options.meta, options.file.source, options.l2CacheBytes);
    this.virtualSizeBytes = this.mapping.virtualSizeBytes;
  }

  status(guestOffsetBytes: number, maxLengthBytes: number, out: LayerRun, probeHoles: boolean): void {
    this.mappedRun(guestOffsetBytes, maxLengthBytes, out);
    if (!probeHoles || out.flags !== DATA_AT_OFFSET || !this.isMetadataPreallocated()) return;
    probeHole(this.hostFile(), out.hostOffsetBytes, out.lengthBytes, this.hole);
    out.lengthBytes = this.hole.lengthBytes;
    if (this.hole.hole) out.flags |= RunFlag.zero;
  }

  /**
   * The mapping's run at `guestOffsetBytes`, from the last run when the offset lies inside it, so
   * that splitting a long run into many pieces does not rescan its L2 entries for every piece.
   */
  private mappedRun(guestOffsetBytes: number, maxLengthBytes: number, out: LayerRun): void {
    const last = this.lastRun;
    const intoLast = guestOffsetBytes - this.lastRunStartBytes;
    if (this.lastRunStartBytes < 0 || intoLast < 0 || intoLast >= last.lengthBytes) {
      this.mapping.runAt(guestOffsetBytes, maxLengthBytes, last);
      this.lastRunStartBytes = guestOffsetBytes;
      out.flags = last.flags;
      out.hostOffsetBytes = last.hostOffsetBytes;
      out.lengthBytes = last.lengthBytes;
      return;
    }
    out.flags = last.flags;
    out.hostOffsetBytes = last.hostOffsetBytes < 0 ? -1 : last.hostOffsetBytes + intoLast;
    out.lengthBytes = Math.min(last.lengthBytes - intoLast, maxLengthBytes);
  }

  readData(guestOffsetBytes: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void {
    const run = this.scratch;
    let pos = guestOffsetBytes;
    const endBytes = guestOffsetBytes + lengthBytes;
    while (pos < endBytes) {
      this.mapping.runAt(pos, endBytes - pos, run);
      const at = destOffsetBytes + (pos - guestOffsetBytes);
      if ((run.flags & RunFlag.compressed) !== 0) {
        this.copyCompressed(pos, run.lengthBytes, dest, at);
      } else if (run.flags === DATA_AT_OFFSET) {
        dest.set(readPadded(this.hostFile().source, run.hostOffsetBytes, run.lengthBytes), at);
      } else {
        throw new Error(`assertion failed: readData on a non-data run at guest ${hex(pos)} (flags ${run.flags})`);
      }
      pos += run.lengthBytes;
    }
  }

  hostFile(): HostFile {
    if (!this.externalData) return this.options.file;
    if (!this.dataFile) {
      if (!this.options.openDataFile) throw new FormatError('FEAT-3', 'header.incompatible_features @72', `${this.name} keeps its data in an external data file, and none was given`);
      this.dataFile = this.options.openDataFile();
    }
    return this.dataFile;
  }

  hostFileName(): string {
    return this.externalData ? (this.options.dataFileName ?? '(external data file)') : this.options.file.name;
  }

  backing(): GuestLayer | null {
    if (this.backingLayer === undefined) this.backingLayer = this.options.openBacking?.() ?? null;
    return this.backingLayer;
  }

  /** QEMU's heuristic (see metadata-preallocation.ts), computed once. */
  isMetadataPreallocated(): boolean {
    if (this.preallocated === undefined) {
      const allocated = this.options.allocatedBytes;
      this.preallocated = allocated !== undefined && detectMetadataPreallocation(this.meta, this.options.file.source, allocated);
    }
    return this.preallocated;
  }

  /** Copies [pos, pos + lengthBytes) of compressed clusters, decompressing each cluster once. */
  private copyCompressed(pos: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void {
    const clusterBytes = this.mapping.geometry.clusterSizeBytes;
    const endBytes = pos + lengthBytes;
    for (let p = pos; p < endBytes; ) {
      const clusterStart = p - (p % clusterBytes);
      const pieceEnd = Math.min(endBytes, clusterStart + clusterBytes);
      const cluster = this.compressedCluster(clusterStart);
      dest.set(cluster.subarray(p - clusterStart, pieceEnd - clusterStart), destOffsetBytes + (p - pos));
      p = pieceEnd;
    }
  }

  private compressedCluster(guestClusterBytes: number): Uint8Array {
    this.mapping.loadEntry(guestClusterBytes);
    const { entryHi, entryLo } = this.mapping;
    if (!this.cachedCluster || entryHi !== this.cachedEntryHi || entryLo !== this.cachedEntryLo) {
      const where = `${this.name}: guest cluster @${hex(guestClusterBytes)}`;
      const g = this.mapping.geometry;
      const type = this.meta.header.compressionType;
      this.cachedCluster = readCompressedCluster(this.options.file.source, entryHi, entryLo, g.clusterBits, type, where);
      this.cachedEntryHi = entryHi;
      this.cachedEntryLo = entryLo;
    }
    return this.cachedCluster;
  }
}
