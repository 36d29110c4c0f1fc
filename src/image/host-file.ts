/**
 * Opening a file that holds guest data (image, external data file, raw base) as a HostFile:
 * a FileByteSource plus what the file system says about it (allocated bytes, block size, and
 * its hole map, asked for only when a probe first needs it).
 */
import { statSync } from 'node:fs';
import type { HoleMap, HostFile } from '../../spec/semantics/layer.js';
import { FileByteSource } from '../io/file-byte-source.js';
import { seekDataHoleMap } from './seek-data-holes.js';

interface OpenedHostFile {
  hostFile: HostFile;
  source: FileByteSource;
  /** Bytes allocated on disk (st_blocks * 512), what qemu-img calls actual-size. */
  allocatedBytes: number;
}

/** Block size assumed when the file system does not report one. */
const DEFAULT_BLOCK_BYTES = 4096;

/**
 * Opens `path` read-only, named `name` in reports. Throws the OS error (ENOENT, EACCES, EISDIR)
 * with its code, which the CLI prints as one line.
 */
export function openHostFile(path: string, name: string): OpenedHostFile {
  const source = new FileByteSource(path);
  const stat = statSync(path);
  const blockBytes = stat.blksize > 0 && (stat.blksize & (stat.blksize - 1)) === 0 ? stat.blksize : DEFAULT_BLOCK_BYTES;
  let holes: HoleMap | null | undefined;
  const hostFile: HostFile = {
    name,
    source,
    holeGranularityBytes: blockBytes,
    get holes(): HoleMap | undefined {
      if (holes === undefined) holes = seekDataHoleMap(path);
      return holes ?? undefined;
    },
  };
  return {
    hostFile,
    source,
    allocatedBytes: stat.blocks * 512,
  };
}
