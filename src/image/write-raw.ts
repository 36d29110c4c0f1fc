/**
 * writeRaw: the guest view of an opened image as a raw file, like `qemu-img convert -O raw`:
 * ranges that read as zeros are not written (runs the chain reports as zero, and 4 KiB blocks of
 * data that happen to be all zeros), and the file is sized to the virtual size with ftruncate, so
 * the result is sparse where the guest sees zeros.
 */
import { closeSync, ftruncateSync, openSync, realpathSync, writeSync } from 'node:fs';
import { chainStatusAt, newChainStatus } from '../../spec/semantics/block-status.js';
import { allZero } from '../../spec/semantics/hole-probe.js';
import { newLayerRun } from '../../spec/semantics/layer.js';
import { ImageError } from './image-error.js';
import type { OpenedImage } from './open-image.js';

/** Guest bytes read per step. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Zero detection unit for data ranges (qemu-img convert's default -S 4k). */
const SPARSE_BLOCK_BYTES = 4096;

/**
 * Writes the guest view of `image` to `outPath` (created or truncated). Throws ImageError when
 * `outPath` is the image itself, OS errors for the output file, and whatever reading the chain
 * throws (FormatError, ImageError for backing or data files).
 */
export function writeRaw(image: OpenedImage, outPath: string): void {
  if (sameFile(image.path, outPath)) throw new ImageError('same-file', `${outPath} is the image being converted`);
  const fd = openSync(outPath, 'w');
  try {
    const sizeBytes = image.view.sizeBytes;
    const status = newChainStatus();
    const run = newLayerRun();
    const buffer = new Uint8Array(CHUNK_BYTES);
    for (let pos = 0; pos < sizeBytes; pos += status.lengthBytes) {
      chainStatusAt(image.top, pos, sizeBytes - pos, status, run, false);
      if (!status.zero) copyRange(image, fd, pos, status.lengthBytes, buffer);
    }
    ftruncateSync(fd, sizeBytes);
  } finally {
    closeSync(fd);
  }
}

function copyRange(image: OpenedImage, fd: number, startBytes: number, lengthBytes: number, buffer: Uint8Array): void {
  for (let done = 0; done < lengthBytes; ) {
    const n = Math.min(buffer.length, lengthBytes - done);
    image.view.readInto(startBytes + done, n, buffer, 0);
    writeNonZero(fd, buffer, n, startBytes + done);
    done += n;
  }
}

/** Writes buffer[0, n) at `fileOffsetBytes`, skipping 4 KiB blocks that are all zeros. */
function writeNonZero(fd: number, buffer: Uint8Array, n: number, fileOffsetBytes: number): void {
  let runStart = -1;
  for (let b = 0; b < n; b += SPARSE_BLOCK_BYTES) {
    const zero = allZero(buffer, b, Math.min(b + SPARSE_BLOCK_BYTES, n));
    if (!zero && runStart < 0) runStart = b;
    if (zero && runStart >= 0) {
      writeAll(fd, buffer, runStart, b - runStart, fileOffsetBytes + runStart);
      runStart = -1;
    }
  }
  if (runStart >= 0) writeAll(fd, buffer, runStart, n - runStart, fileOffsetBytes + runStart);
}

/** writeSync until every byte is written (a regular file may take fewer bytes per call). */
function writeAll(fd: number, buffer: Uint8Array, start: number, lengthBytes: number, fileOffsetBytes: number): void {
  for (let done = 0; done < lengthBytes; ) {
    done += writeSync(fd, buffer, start + done, lengthBytes - done, fileOffsetBytes + done);
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false; // the output does not exist yet
  }
}
