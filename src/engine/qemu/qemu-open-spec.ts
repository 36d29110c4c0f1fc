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
}

/** A file name escaped for QEMU's option syntax (a comma doubles). */
function optValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/** The `--image-opts` / `open -o` string of a spec. */
export function imageOptsOf(spec: QemuOpenSpec): string {
  if (!spec.logPath) return `driver=qcow2,file.filename=${optValue(spec.imagePath)}`;
  const parts = [
    'driver=qcow2',
    'file.driver=blklogwrites',
    `file.file.filename=${optValue(spec.imagePath)}`,
    `file.log.filename=${optValue(spec.logPath)}`,
    'file.log-super-update-interval=1',
  ];
  if (spec.logAppend) parts.push('file.log-append=on');
  return parts.join(',');
}

/** The qemu-io `open` command line of a spec. */
export function openCommandOf(spec: QemuOpenSpec): string {
  return `open ${spec.readOnly ? '-r ' : ''}-t ${spec.cacheMode} -o ${imageOptsOf(spec)}`;
}
