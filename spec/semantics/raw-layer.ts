/**
 * RawLayer: a raw file as a GuestLayer (a raw backing file or base). The guest sees the file's
 * bytes; past its end, zeros. Its size counts whole 512-byte sectors, as QEMU's does, so a raw
 * file of 1000 bytes is a 1024-byte disk. Every byte is present; with probeHoles, holes of the
 * file show as zero runs, like QEMU's file-posix block status.
 */
import { readPadded } from '../format/byte-source.js';
import { probeHole } from './hole-probe.js';
import { RunFlag, type GuestLayer, type HoleRun, type HostFile, type LayerRun } from './layer.js';

const SECTOR_BYTES = 512;

export class RawLayer implements GuestLayer {
  readonly name: string;
  readonly virtualSizeBytes: number;
  private readonly hole: HoleRun = { hole: false, lengthBytes: 0 };

  constructor(private readonly file: HostFile) {
    this.name = file.name;
    this.virtualSizeBytes = Math.ceil(file.source.sizeBytes / SECTOR_BYTES) * SECTOR_BYTES;
  }

  status(guestOffsetBytes: number, maxLengthBytes: number, out: LayerRun, probeHoles: boolean): void {
    const lengthBytes = Math.min(maxLengthBytes, this.virtualSizeBytes - guestOffsetBytes);
    out.hostOffsetBytes = guestOffsetBytes;
    if (!probeHoles) {
      out.flags = RunFlag.data | RunFlag.offsetValid;
      out.lengthBytes = lengthBytes;
      return;
    }
    probeHole(this.file, guestOffsetBytes, lengthBytes, this.hole);
    out.flags = (this.hole.hole ? RunFlag.zero : RunFlag.data) | RunFlag.offsetValid;
    out.lengthBytes = this.hole.lengthBytes;
  }

  readData(guestOffsetBytes: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void {
    dest.set(readPadded(this.file.source, guestOffsetBytes, lengthBytes), destOffsetBytes);
  }

  hostFile(): HostFile {
    return this.file;
  }

  hostFileName(): string {
    return this.file.name;
  }

  backing(): GuestLayer | null {
    return null;
  }
}
