/**
 * Qcow2State: everything the built-in engine knows about one open image. The operation files
 * (refcounts, cluster mapping, snapshots ...) are functions over this state, as QEMU's block/qcow2*.c
 * are functions over BDRVQcow2State. Built only by open-image.ts, from a validated header.
 */
import type { Geometry } from '../../../spec/format/geometry.js';
import type { Header } from '../../../spec/format/header.js';
import type { SnapshotEntry } from '../../../spec/format/snapshot-table.js';
import type { BlockDevice } from '../../storage/block-device.js';
import type { CacheMode } from '../engine.js';
import type { MutantFlags } from '../mutants.js';
import type { TableCache } from './table-cache.js';

/** Guest bytes of a backing image (qcow2 or raw), read-only. */
export interface GuestReader {
  readonly virtualSizeBytes: number;
  /** Fills `out` with guest bytes from `offsetBytes`; zeros past the virtual size. */
  readInto(offsetBytes: number, out: Uint8Array): void;
}

/** The active L1 table, held whole in memory. */
interface L1State {
  offsetBytes: number;
  /** l1_size: entries in use. */
  entryCount: number;
  /** The table, rounded up to whole clusters (zeros past entryCount). */
  bytes: Uint8Array;
}

/** The refcount table, held whole in memory as decoded refblock offsets. */
interface ReftableState {
  offsetBytes: number;
  clusterCount: number;
  /** Refblock offset per reftable index; 0 = no block (all its refcounts are 0). */
  blockOffsets: number[];
}

interface AllocState {
  /** No allocatable cluster lies below this cluster index (a search hint). */
  freeClusterHint: number;
  /** First cluster index past every allocated cluster and the end of the file. */
  endClusterIndex: number;
  /** Freed clusters held back until the unlink that freed them is durable (MUT-15). */
  quarantine: Set<number>;
  /** Next free byte for compressed data inside a partly used cluster, or 0. */
  freeByteOffsetBytes: number;
}

export interface Qcow2State {
  readonly device: BlockDevice;
  /** Geometry; `virtualSizeBytes` follows resizes. */
  readonly g: Geometry;
  /** The header as it is on disk (after every committed update). */
  readonly header: Header;
  /** Cluster 0 as read at open (extensions, backing name), patched on full rewrites. */
  cluster0: Uint8Array;
  readonly backing: GuestReader | undefined;
  readonly l1: L1State;
  readonly reftable: ReftableState;
  readonly l2Cache: TableCache;
  readonly refblockCache: TableCache;
  readonly cacheMode: CacheMode;
  readonly readOnly: boolean;
  /** The lazy-refcounts bit is set (FEAT-7, LAZY-1). */
  readonly lazyRefcounts: boolean;
  /** The dirty bit is set on disk (FEAT-1). */
  dirty: boolean;
  readonly mut: MutantFlags;
  readonly alloc: AllocState;
  snapshots: SnapshotEntry[];
  /** Buffer for building copy-on-write clusters (see write-cluster.ts). */
  scratch?: Uint8Array;
  /** Last decompressed cluster, keyed by its descriptor, for sequential reads. */
  decompressed: { key: string; bytes: Uint8Array } | undefined;
  /** Snapshot dates; the CLI passes the wall clock, tests a fixed one. */
  readonly clock: () => { seconds: number; nanoseconds: number };
  closed: boolean;
}

/** Refcounts must be exact on disk: not while the image is dirty (LAZY-3). */
export function needAccurateRefcounts(s: Qcow2State): boolean {
  return !s.dirty;
}
