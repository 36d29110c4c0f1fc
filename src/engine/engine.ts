/**
 * Engine: the one interface every qcow2 implementation under test offers, the built-in TypeScript
 * engine (src/engine/builtin) and the QEMU driver (qemu-io / qemu-img through execa) alike.
 *
 * Async (Promise-returning) so a driver that talks to another process fits; the built-in engine is
 * synchronous inside. Numbers are bytes. Operation failures are EngineError (an errno-like code, as
 * qemu-io reports them), malformed images FormatError, device faults InjectedFault: never mixed.
 */
import type { BlockDevice } from '../storage/block-device.js';
import type { MutantName } from './mutants.js';

/** How metadata reaches the device: on flush/eviction/close only, or after every guest request. */
export type CacheMode = 'writeback' | 'writethrough';

/** Options of a new image, as `qemu-img create -o` names them. */
export interface CreateOptions {
  /** Virtual size; defaults to the backing file's size (required without a backing file). */
  virtualSizeBytes?: number;
  /** Power of two, 512 B .. 2 MiB (HDR-3); default 64 KiB. */
  clusterSizeBytes?: number;
  /** 1, 2, 4, 8, 16, 32 or 64 (HDR-11); default 16; v2 images only allow 16. */
  refcountBits?: number;
  /** '0.10' makes a version 2 image, '1.1' (default) a version 3 image. */
  compat?: '0.10' | '1.1';
  /** Sets the lazy refcounts compatible bit (FEAT-7, needs compat 1.1). */
  lazyRefcounts?: boolean;
  /** Extended L2 entries with 32 subclusters (FEAT-5, needs compat 1.1, cluster size >= 16 KiB). */
  extendedL2?: boolean;
  /** Compression type of the header (HDR-13); default zlib (deflate). */
  compressionType?: 'zlib' | 'zstd';
  /** Backing file name, stored as given (resolved relative to the image's directory). */
  backingFile?: string;
  /** Backing file format, stored in the backing-format extension; required with backingFile. */
  backingFormat?: 'qcow2' | 'raw';
  mutants?: readonly MutantName[];
}

/**
 * Repairs a dirty image in place (FEAT-1 / LAZY-5): rebuilds refcounts from L1/L2 and clears the dirty
 * bit. The caller passes crashcow's repair (or another); the engine never ships its own.
 */
export type RepairHook = (device: BlockDevice, opts: { mutants: readonly MutantName[] }) => void | Promise<void>;

export interface OpenOptions {
  readOnly?: boolean;
  /** Default writethrough, like qemu-io and qemu-img. */
  cacheMode?: CacheMode;
  mutants?: readonly MutantName[];
  /** Called when a dirty image is opened read-write; without it that open fails (FEAT-1, LAZY-5). */
  repair?: RepairHook;
}

/** Where an image lives: a file path, or a block device (with a resolver for its backing file). */
export type ImageTarget =
  | { path: string }
  | { device: BlockDevice; openBacking?: (name: string) => BlockDevice };

/** One internal snapshot as `qemu-img snapshot -l` lists it. */
export interface SnapshotInfo {
  id: string;
  name: string;
  vmStateSizeBytes: number;
  dateSeconds: number;
  dateNanoseconds: number;
  vmClockNanoseconds: number;
  /** Guest size recorded with the snapshot (SN-3), when the entry carries it. */
  diskSizeBytes?: number;
}

/** An open image. Every call may reject with EngineError, FormatError or InjectedFault. */
export interface EngineImage {
  /** Current virtual size. */
  readonly virtualSizeBytes: number;
  /** Reads guest bytes; the range must lie inside the virtual size (EIO otherwise, like qemu-io). */
  read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array>;
  /** Writes guest bytes; `compressed` asks for compressed clusters (cluster-aligned ranges only). */
  write(offsetBytes: number, data: Uint8Array, opts?: { compressed?: boolean }): Promise<void>;
  /** Makes a range read as zeros; `unmap` lets whole clusters be deallocated (qemu-io `write -z -u`). */
  writeZeroes(offsetBytes: number, lengthBytes: number, opts?: { unmap?: boolean }): Promise<void>;
  /** Discards whole clusters in the range (partial clusters are left alone, like QEMU). */
  discard(offsetBytes: number, lengthBytes: number): Promise<void>;
  /** Makes every completed request durable. */
  flush(): Promise<void>;
  /** Flushes, marks the image clean (LAZY-4) and releases it; the image is unusable afterwards. */
  close(): Promise<void>;
  snapshotCreate(name: string): Promise<SnapshotInfo>;
  /** Reverts the active state to a snapshot, found by id first, then by name. */
  snapshotApply(idOrName: string): Promise<void>;
  /** Deletes the first snapshot with this name (what `qemu-img snapshot -d` does). */
  snapshotDelete(name: string): Promise<void>;
  snapshotList(): Promise<SnapshotInfo[]>;
  /** Changes the virtual size; shrinking needs `shrink` and drops the data past the new end. */
  resize(newSizeBytes: number, opts?: { shrink?: boolean }): Promise<void>;
}

export interface Engine {
  /** Short name, e.g. "builtin" or "qemu". */
  readonly name: string;
  /** Version of the implementation, e.g. "crashcow-builtin 0.1.0" or "qemu-io 7.2.22". */
  readonly engineVersion: string;
  /** Creates a new image at the target (an existing file is overwritten). */
  create(target: ImageTarget, opts: CreateOptions): Promise<void>;
  open(target: ImageTarget, opts?: OpenOptions): Promise<EngineImage>;
}
