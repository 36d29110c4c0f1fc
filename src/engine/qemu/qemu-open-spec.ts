/**
 * QemuOpenSpec: how the QEMU driver opens an image: plain, or over QEMU's blklogwrites driver so
 * that every write, flush and discard that reaches the image file is logged in dm-log-writes
 * format (QCOW2-FACTS §5.2; the super is rewritten after every entry so a reader always sees it).
 */
import type { CacheMode } from '../engine.js';

export interface QemuOpenSpec {
  /** The image file (absolute, or relative to the driver's working directory). */
  imagePath: string;
  /** The blklogwrites log; it must exist (it may be empty) before the first open. */
  logPath?: string;
  /** Append to an existing log (every open after the first one of a log). */
  logAppend?: boolean;
  cacheMode: CacheMode;
  readOnly?: boolean;
  /**
   * A blkdebug config file (blkdebug-config.ts): blkdebug goes between the qcow2 driver and the
   * file (and blklogwrites), so the errors it injects never reach the file or the log.
   */
  blkdebugConfig?: string;
  /** The qcow2 driver's `l2-cache-size` (bytes; QEMU raises it to two tables at least); absent: QEMU's default. */
  l2CacheSizeBytes?: number;
  /** The qcow2 driver's `refcount-cache-size` (bytes; QEMU raises it to four blocks at least); absent: QEMU's default. */
  refcountCacheSizeBytes?: number;
}

/** The qcow2 driver's own options of a spec (its cache sizes). */
function qcow2OptionsOf(spec: QemuOpenSpec): string[] {
  const out: string[] = [];
  if (spec.l2CacheSizeBytes !== undefined) out.push(`l2-cache-size=${spec.l2CacheSizeBytes}`);
  if (spec.refcountCacheSizeBytes !== undefined) out.push(`refcount-cache-size=${spec.refcountCacheSizeBytes}`);
  return out;
}

/** A file name escaped for QEMU's option syntax (a comma doubles). */
function optValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/** The `--image-opts` / `open -o` string of a spec. */
export function imageOptsOf(spec: QemuOpenSpec): string {
  // The qcow2 driver's file child: blkdebug's child is its `image`.
  const file = spec.blkdebugConfig === undefined ? 'file' : 'file.image';
  const qcow2 = ['driver=qcow2', ...qcow2OptionsOf(spec)];
  const head = spec.blkdebugConfig === undefined ? qcow2 : [...qcow2, 'file.driver=blkdebug', `file.config=${optValue(spec.blkdebugConfig)}`];
  if (!spec.logPath) return [...head, `${file}.filename=${optValue(spec.imagePath)}`].join(',');
  const parts = [
    ...head,
    `${file}.driver=blklogwrites`,
    `${file}.file.filename=${optValue(spec.imagePath)}`,
    `${file}.log.filename=${optValue(spec.logPath)}`,
    `${file}.log-super-update-interval=1`,
  ];
  if (spec.logAppend) parts.push(`${file}.log-append=on`);
  return parts.join(',');
}

/** The qemu-io `open` command line of a spec. */
export function openCommandOf(spec: QemuOpenSpec): string {
  return `open ${spec.readOnly ? '-r ' : ''}-t ${spec.cacheMode} -o ${imageOptsOf(spec)}`;
}
