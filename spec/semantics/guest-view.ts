/**
 * GuestView: what the guest reads from an image, its backing chain and its external data file
 * (the guest view of QCOW2-FACTS §1.5-1.7). Takes the top GuestLayer; gives guest bytes for any
 * range of [0, virtual size). Pure: all reads go through the layers' ByteSources.
 *
 * Per run of the top layer: data is read from the layer (decompressed if compressed); a zero run
 * reads zeros without looking below (L2-5); an unallocated run reads the backing layer, and zeros
 * past the backing layer's end or without one (L2-5). The VM state area of internal snapshots
 * lies beyond the virtual size and is never part of the guest view (SN-7).
 */
import { newLayerRun, RunFlag, type GuestLayer } from './layer.js';

export class GuestView {
  constructor(readonly top: GuestLayer) {}

  /** Virtual disk size in bytes. */
  get sizeBytes(): number {
    return this.top.virtualSizeBytes;
  }

  /**
   * Returns guest bytes [guestOffsetBytes, +lengthBytes). Throws RangeError outside the disk,
   * FormatError for a mapping the spec forbids, and whatever opening a backing or data file throws.
   */
  read(guestOffsetBytes: number, lengthBytes: number): Uint8Array {
    const out = new Uint8Array(lengthBytes);
    this.readInto(guestOffsetBytes, lengthBytes, out, 0);
    return out;
  }

  /** Like read, into `dest` at `destOffsetBytes` (every byte of the range is written). */
  readInto(guestOffsetBytes: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void {
    if (guestOffsetBytes < 0 || lengthBytes < 0 || guestOffsetBytes + lengthBytes > this.sizeBytes) {
      throw new RangeError(`guest range ${guestOffsetBytes}+${lengthBytes} outside the ${this.sizeBytes}-byte disk`);
    }
    readLayer(this.top, guestOffsetBytes, lengthBytes, dest, destOffsetBytes);
  }
}

/** Reads [g, g + lengthBytes) of `layer` (all inside its virtual size) into dest. */
function readLayer(layer: GuestLayer, guestOffsetBytes: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void {
  const run = newLayerRun();
  const endBytes = guestOffsetBytes + lengthBytes;
  for (let pos = guestOffsetBytes; pos < endBytes; pos += run.lengthBytes) {
    layer.status(pos, endBytes - pos, run, false);
    const at = destOffsetBytes + (pos - guestOffsetBytes);
    if ((run.flags & RunFlag.zero) !== 0) {
      dest.fill(0, at, at + run.lengthBytes);
    } else if ((run.flags & RunFlag.data) !== 0) {
      layer.readData(pos, run.lengthBytes, dest, at);
    } else {
      readBelow(layer, pos, run.lengthBytes, dest, at);
    }
  }
}

/** An unallocated run: the backing layer where it reaches, zeros elsewhere. */
function readBelow(layer: GuestLayer, guestOffsetBytes: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void {
  const below = layer.backing();
  const coveredBytes = below ? Math.max(0, Math.min(lengthBytes, below.virtualSizeBytes - guestOffsetBytes)) : 0;
  if (below && coveredBytes > 0) readLayer(below, guestOffsetBytes, coveredBytes, dest, destOffsetBytes);
  dest.fill(0, destOffsetBytes + coveredBytes, destOffsetBytes + lengthBytes);
}
