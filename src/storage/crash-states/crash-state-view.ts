import { assertRange, type BlockDevice } from '../block-device.js';
import type { CrashPointModel } from './crash-point-model.js';

/**
 * CrashStateView: a read-only device showing one crash state without copying anything: the
 * durable device below, and over each touched sector the version its code picks. Bytes at or past
 * the state's size read as zeros (BlockDevice rule). Writes throw: wrap it in a CowDevice to write.
 */
export class CrashStateView implements BlockDevice {
  constructor(
    private readonly model: CrashPointModel,
    private readonly codes: Uint32Array,
    readonly sizeBytes: number,
  ) {}

  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    assertRange(offsetBytes, lengthBytes);
    const inside = Math.max(0, Math.min(lengthBytes, this.sizeBytes - offsetBytes));
    if (inside === 0) return new Uint8Array(lengthBytes);
    const out = this.model.durable.read(offsetBytes, lengthBytes);
    if (inside < lengthBytes) out.fill(0, inside);
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
    return out;
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
