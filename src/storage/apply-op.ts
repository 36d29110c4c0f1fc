import type { StorageOp } from '../../spec/semantics/storage-contract.js';
import type { BlockDevice } from './block-device.js';

/**
 * Performs one logged operation on a device (replaying a recording or a converted log).
 * @throws Error for a write without data (a malformed in-memory log, our bug)
 */
export function applyOp(dev: BlockDevice, op: StorageOp): void {
  switch (op.kind) {
    case 'write':
      if (!op.data || op.data.length !== op.lengthBytes) throw new Error(`write op at ${op.offsetBytes} has no data of length ${op.lengthBytes}`);
      dev.write(op.offsetBytes, op.data, { fua: op.fua });
      return;
    case 'zeroes':
      dev.writeZeroes(op.offsetBytes, op.lengthBytes);
      return;
    case 'discard':
      dev.discard(op.offsetBytes, op.lengthBytes);
      return;
    case 'flush':
      dev.flush();
      return;
    case 'truncate':
      dev.truncate(op.offsetBytes);
      return;
  }
}

/** Performs `ops` in order on `dev` (a recorded run replayed over another device). */
export function applyOps(dev: BlockDevice, ops: readonly StorageOp[]): void {
  for (const op of ops) applyOp(dev, op);
}
