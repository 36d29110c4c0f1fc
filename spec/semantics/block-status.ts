/**
 * Block status of a backing chain at one guest offset, in the terms of `qemu-img map`
 * (qemu-img.c get_block_status in 7.2, with the generic rules of block/io.c):
 * - walk down from the top while a layer leaves the range unallocated (neither data nor zero);
 *   `depth` counts the layers passed;
 * - `present` means the layer where the walk stopped holds the range (data or zero there);
 * - a layer without a backing file, or whose backing file ends before the offset, reads zeros:
 *   the walk stops there with present false and zero true;
 * - the offset, when there is one, is where the bytes live in that layer's host file.
 */
import { newLayerRun, RunFlag, type GuestLayer, type LayerRun } from './layer.js';

export interface ChainStatus {
  lengthBytes: number;
  /** Number of backing layers below the top at which the walk stopped. */
  depth: number;
  present: boolean;
  zero: boolean;
  data: boolean;
  /** Host offset in `fileName`, or -1 when the status carries none. */
  hostOffsetBytes: number;
  /** Name of the file holding hostOffsetBytes ('' without an offset). */
  fileName: string;
}

export function newChainStatus(): ChainStatus {
  return { lengthBytes: 0, depth: 0, present: false, zero: false, data: false, hostOffsetBytes: -1, fileName: '' };
}

/**
 * Writes the status of the longest uniform range at `guestOffsetBytes` (at most `maxLengthBytes`,
 * inside the top layer) into `out`; `run` is scratch space. `probeHoles` false skips looking at
 * host files for holes (what `qemu-img map` does, and what a reader does not need). Opens
 * backing layers as the walk needs them, so it throws what they throw (missing file,
 * --no-follow) and FormatError.
 */
export function chainStatusAt(
  top: GuestLayer,
  guestOffsetBytes: number,
  maxLengthBytes: number,
  out: ChainStatus,
  run: LayerRun = newLayerRun(),
  probeHoles = true,
): void {
  let layer = top;
  let depth = 0;
  let lengthBytes = maxLengthBytes;
  for (;;) {
    layer.status(guestOffsetBytes, lengthBytes, run, probeHoles);
    lengthBytes = run.lengthBytes;
    let flags = run.flags;
    const present = (flags & (RunFlag.data | RunFlag.zero)) !== 0;
    if (!present) {
      const below = layer.backing();
      if (below && guestOffsetBytes < below.virtualSizeBytes) {
        lengthBytes = Math.min(lengthBytes, below.virtualSizeBytes - guestOffsetBytes);
        layer = below;
        depth++;
        continue;
      }
      flags |= RunFlag.zero;
    }
    const hasOffset = (flags & RunFlag.offsetValid) !== 0;
    out.lengthBytes = lengthBytes;
    out.depth = depth;
    out.present = present;
    out.zero = (flags & RunFlag.zero) !== 0;
    out.data = (flags & RunFlag.data) !== 0;
    out.hostOffsetBytes = hasOffset ? run.hostOffsetBytes : -1;
    out.fileName = hasOffset ? layer.hostFileName() : '';
    return;
  }
}
