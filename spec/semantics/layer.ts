/**
 * GuestLayer: one image of a backing chain as the guest-view semantics sees it. A qcow2 image and
 * a raw file both implement it; the chain (guest-view.ts, block-status.ts) walks layers top-down.
 *
 * A layer answers "what is at this guest offset" as one uniform run (LayerRun), in the terms of
 * QEMU's block status: the run carries data, reads as zeros, or is unallocated here (the guest
 * then sees the layer below). Nothing here does I/O except through a ByteSource.
 */
import type { ByteSource } from '../format/byte-source.js';

/** Bits of LayerRun.flags. */
export const RunFlag = {
  /** The layer holds the bytes (a data cluster, compressed data, raw file data). */
  data: 1,
  /** The run reads as zeros in this layer (zero cluster, zero subcluster, file hole). */
  zero: 2,
  /** hostOffsetBytes is meaningful: where the run lives in the layer's host file. */
  offsetValid: 4,
  /** The bytes are compressed clusters (data without a host offset). */
  compressed: 8,
} as const;

/** One uniform run of a layer, written in place by GuestLayer.status (no allocation per call). */
export interface LayerRun {
  /** Length of the run in bytes, > 0. */
  lengthBytes: number;
  /** RunFlag bits. Neither data nor zero: unallocated here, the guest sees the layer below. */
  flags: number;
  /** Host offset of the run's first byte in the layer's host file when offsetValid, else -1. */
  hostOffsetBytes: number;
}

/** A fresh, reusable LayerRun. */
export function newLayerRun(): LayerRun {
  return { lengthBytes: 0, flags: 0, hostOffsetBytes: -1 };
}

/** A run of a host file that is all hole or all data, written in place by a probe. */
export interface HoleRun {
  /** True when the run is a hole (reads as zeros, nothing stored). */
  hole: boolean;
  lengthBytes: number;
}

/** Where a host file has holes, as the file system reports them (SEEK_DATA / SEEK_HOLE). */
export interface HoleMap {
  /** Writes the uniform run at `offsetBytes`, at most `maxLengthBytes` long, into `out`. */
  probe(offsetBytes: number, maxLengthBytes: number, out: HoleRun): void;
}

/**
 * A file that holds guest data: the image itself, an external data file or a raw base. Its holes
 * come from `holes` when the file system was asked, else from content (see hole-probe.ts).
 */
export interface HostFile {
  /** Name for reports and for `qemu-img map`'s file column. */
  readonly name: string;
  readonly source: ByteSource;
  /** File-system block size in bytes: the unit in which the file can have holes. */
  readonly holeGranularityBytes: number;
  /** The file system's own hole map, when available. */
  readonly holes?: HoleMap;
}

export interface GuestLayer {
  /** Image name as resolved (for messages and reports). */
  readonly name: string;
  /** Guest-visible size of this layer in bytes. */
  readonly virtualSizeBytes: number;
  /**
   * Describes the longest uniform run at `guestOffsetBytes` (< virtualSizeBytes), at most
   * `maxLengthBytes` long, into `out`. With `probeHoles`, data runs are also split at holes of
   * the host file where QEMU's block status would look at the file (metadata preallocation, raw
   * files) and marked zero there. Throws FormatError when the mapping breaks a rule.
   */
  status(guestOffsetBytes: number, maxLengthBytes: number, out: LayerRun, probeHoles: boolean): void;
  /**
   * Copies guest bytes [guestOffsetBytes, +lengthBytes) of a data run into `dest` at
   * `destOffsetBytes`. The range must lie in runs that status() reported as data without zero.
   */
  readData(guestOffsetBytes: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void;
  /** The file that offsetValid runs point into (may open it; may throw like backing()). */
  hostFile(): HostFile;
  /** Name of that file, without opening it (map reports and merges extents by it). */
  hostFileName(): string;
  /** The layer below, or null without a backing file. May throw when it cannot or must not be opened. */
  backing(): GuestLayer | null;
}
