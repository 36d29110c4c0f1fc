/**
 * FuzzImageOptions: the image one fuzz run works on, drawn from the seed unless flags fix parts of
 * it. Small virtual sizes keep crash states cheap. JSON-safe: case files store it as is.
 */
import type { CacheMode, CreateOptions } from '../engine/engine.js';

/** The qcow2 versions an image may take: compat 0.10 (version 2) and 1.1 (version 3). */
export const COMPAT_LEVELS = ['0.10', '1.1'] as const;
export type CompatLevel = (typeof COMPAT_LEVELS)[number];

export type BackingFormat = 'qcow2' | 'raw';

interface BackingOptions {
  format: BackingFormat;
  /** Guest bytes the backing file covers, a multiple of the cluster size. */
  sizeBytes: number;
}

/** The image profiles a run draws from (`crashcow fuzz --profile`); see image-profile.ts. */
export type ImageProfile = 'small' | 'growth' | 'large';

export interface FuzzImageOptions {
  /** The profile these options were drawn in; absent in cases saved before profiles were recorded. */
  profile?: ImageProfile;
  virtualSizeBytes: number;
  clusterSizeBytes: number;
  refcountBits: number;
  compat: CompatLevel;
  lazyRefcounts: boolean;
  extendedL2: boolean;
  backing: BackingOptions | null;
  cacheMode: CacheMode;
  /**
   * Guest bytes from offset 0 written with the base content (write id 0, as a backing file's)
   * and flushed when the image is made, before the run's first op: a populated image (bench
   * profiles). Absent: none. The model reads them as it reads a backing file's bytes.
   */
  fillBytes?: number;
  /**
   * Internal snapshots taken of the filled image when it is made, after the fill (named
   * fillSnapshotName(1..n)); each holds the base content over the fill. Absent: none.
   */
  fillSnapshots?: number;
}

/** The name of the `index`-th snapshot (from 1) taken when the image is made. */
export function fillSnapshotName(index: number): string {
  return `fill${index}`;
}

/** Guest bytes that hold the base content (write id 0) when the run starts: backing file and fill. */
export function baseContentBytesOf(o: FuzzImageOptions): number {
  return Math.min(o.virtualSizeBytes, Math.max(o.backing ? o.backing.sizeBytes : 0, o.fillBytes ?? 0));
}

/** Name under which the top image refers to its backing file. */
export const BACKING_FILE_NAME = 'backing.img';

/** The engine's create options for these image options. */
export function createOptionsOf(o: FuzzImageOptions): CreateOptions {
  const out: CreateOptions = {
    virtualSizeBytes: o.virtualSizeBytes,
    clusterSizeBytes: o.clusterSizeBytes,
    refcountBits: o.refcountBits,
    compat: o.compat,
    lazyRefcounts: o.lazyRefcounts,
    extendedL2: o.extendedL2,
  };
  if (o.backing) {
    out.backingFile = BACKING_FILE_NAME;
    out.backingFormat = o.backing.format;
  }
  return out;
}

/** True when the image can hold internal snapshots without refcount overflow in a short run. */
export function snapshotsAllowed(o: FuzzImageOptions): boolean {
  return o.refcountBits >= 4;
}

/** Largest number of snapshots a run keeps at once (refcount widths of 4 bits hold 15). */
export const SNAPSHOT_COUNT_MAX = 3;

/** One line: "[large profile:] 64K clusters, 4 MiB, refcount 16, v3, lazy, xl2, backing qcow2 2 MiB, writeback". */
export function describeImageOptions(o: FuzzImageOptions): string {
  const kib = (n: number): string => (n >= 1 << 20 ? `${n / (1 << 20)} MiB` : `${n / 1024} KiB`);
  const parts = [`${kib(o.clusterSizeBytes)} clusters`, kib(o.virtualSizeBytes), `refcount_bits ${o.refcountBits}`, o.compat === '1.1' ? 'v3' : 'v2'];
  if (o.lazyRefcounts) parts.push('lazy refcounts');
  if (o.extendedL2) parts.push('extended L2');
  if (o.backing) parts.push(`${o.backing.format} backing ${kib(o.backing.sizeBytes)}`);
  if (o.fillBytes) parts.push(`${kib(o.fillBytes)} filled`);
  if (o.fillSnapshots) parts.push(`${o.fillSnapshots} snapshots of the fill`);
  parts.push(o.cacheMode);
  return (o.profile && o.profile !== 'small' ? `${o.profile} profile: ` : '') + parts.join(', ');
}
