/**
 * Test helper: a GuestLayer described by a list of segments, for exercising the chain logic
 * (block status, map merging, guest reads) without any image format.
 */
import { bytesSource } from '../../../spec/format/byte-source.js';
import { RunFlag, type GuestLayer, type HostFile, type LayerRun } from '../../../spec/semantics/layer.js';

export interface Segment {
  startBytes: number;
  endBytes: number;
  /** RunFlag bits (data, zero, offsetValid). */
  flags: number;
  /** Host offset of startBytes when offsetValid. */
  hostBytes?: number;
}

export class FakeLayer implements GuestLayer {
  readonly file: HostFile;

  /** `segments` must cover [0, sizeBytes) in order; data segments read host bytes from `host`. */
  constructor(
    readonly name: string,
    readonly virtualSizeBytes: number,
    private readonly segments: Segment[],
    host: Uint8Array,
    private readonly below: GuestLayer | null = null,
  ) {
    this.file = { name: `${name}.host`, source: bytesSource(host), holeGranularityBytes: 512 };
  }

  status(guestOffsetBytes: number, maxLengthBytes: number, out: LayerRun): void {
    const s = this.segments.find((x) => x.startBytes <= guestOffsetBytes && guestOffsetBytes < x.endBytes)!;
    out.flags = s.flags;
    out.lengthBytes = Math.min(s.endBytes, guestOffsetBytes + maxLengthBytes) - guestOffsetBytes;
    out.hostOffsetBytes = (s.flags & RunFlag.offsetValid) !== 0 ? s.hostBytes! + (guestOffsetBytes - s.startBytes) : -1;
  }

  readData(guestOffsetBytes: number, lengthBytes: number, dest: Uint8Array, destOffsetBytes: number): void {
    for (let i = 0; i < lengthBytes; i++) {
      const g = guestOffsetBytes + i;
      const s = this.segments.find((x) => x.startBytes <= g && g < x.endBytes)!;
      if (s.flags !== (RunFlag.data | RunFlag.offsetValid)) throw new Error(`readData on a non-data byte ${g}`);
      dest[destOffsetBytes + i] = this.file.source.read(s.hostBytes! + (g - s.startBytes), 1)[0] ?? 0;
    }
  }

  hostFile(): HostFile {
    return this.file;
  }

  hostFileName(): string {
    return this.file.name;
  }

  backing(): GuestLayer | null {
    return this.below;
  }
}
