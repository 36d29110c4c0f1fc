import { allocBytes } from '../alloc-bytes.js';
import { assertRange, readIntoFrom, type BlockDevice } from '../block-device.js';
import type { CrashPointModel } from './crash-point-model.js';

/**
 * CrashStateView: a read-only device showing one crash state without copying anything: the
 * durable device below, and over each touched sector the version its code picks. Bytes at or past
 * the state's size read as zeros (BlockDevice rule). Writes throw: wrap it in a CowDevice to write.
 */
export class CrashStateView implements BlockDevice {
  constructor(
    private readonly model: CrashPointModel,
    private readonly codes: ArrayLike<number>,
    readonly sizeBytes: number,
  ) {}

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    const out = allocBytes(lengthBytes);
    this.readInto(offsetBytes, out);
    return out;
  }

  readInto(offsetBytes: number, out: Uint8Array): void {
    assertRange(offsetBytes, out.length);
    const inside = Math.max(0, Math.min(out.length, this.sizeBytes - offsetBytes));
    if (inside === 0) {
      out.fill(0);
      return;
    }
    readIntoFrom(this.model.durable, offsetBytes, out);
    if (inside < out.length) out.fill(0, inside);
    const s = this.model.sectorSizeBytes;
    const touched = this.model.touched;
    const endBytes = offsetBytes + inside;
    for (let t = touched.lowerBound(Math.floor(offsetBytes / s)); t < touched.count; t++) {
      const sectorStart = touched.sectors[t] * s;
      if (sectorStart >= endBytes) break;
      const code = this.codes[t];
      if (code === this.model.durableCodes[t]) continue;
      const from = Math.max(offsetBytes, sectorStart);
      const to = Math.min(endBytes, sectorStart + s);
      out.set(this.model.versions[t][code].subarray(from - sectorStart, to - sectorStart), from - offsetBytes);
    }
  }

  write(): void {
    readOnly();
  }

  writeZeroes(): void {
    readOnly();
  }

  discard(): void {
    readOnly();
  }

  flush(): void {
    readOnly();
  }

  truncate(): void {
    readOnly();
  }
}

function readOnly(): never {
  throw new Error('CrashStateView is read-only; write through CrashState.device()');
}
