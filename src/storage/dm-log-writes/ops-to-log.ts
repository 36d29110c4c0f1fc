import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { applyOp } from '../apply-op.js';
import type { BlockDevice } from '../block-device.js';
import { CowDevice } from '../cow-device.js';
import { encodeLog, type LogRecord } from './encode-log.js';
import { LogFlag } from './log-format.js';
import { sizeMarkBytes } from './size-mark.js';

/**
 * Turns a recording into log records that, replayed in order onto a copy of `base`, rebuild every
 * intermediate state exactly. Log entries cover whole log sectors, so a write, zeroing or discard
 * touching part of a sector is logged with the whole sector's new content (read from a simulated
 * copy of the file), zeroing is logged as written zeros (as QEMU's blklogwrites does), and a size
 * the entries cannot express (a truncate, a write ending inside a sector) is logged as a size mark.
 * @param base the file before the first operation; only read
 * @param sectorSizeBytes the log sector size
 */
export function opsToLogRecords(ops: readonly StorageOp[], base: BlockDevice, sectorSizeBytes: number): LogRecord[] {
  const ss = sectorSizeBytes;
  const sim = new CowDevice(base);
  const records: LogRecord[] = [];
  let replaySize = base.sizeBytes;
  const logWholeSectors = (fromBytes: number, toBytes: number, flags: number): void => {
    if (toBytes <= fromBytes) return;
    const a = Math.floor(fromBytes / ss) * ss;
    const b = Math.ceil(toBytes / ss) * ss;
    records.push({ flags, targetOffsetBytes: a, lengthBytes: b - a, data: sim.read(a, b - a) });
    replaySize = Math.max(replaySize, b);
  };
  for (const op of ops) {
    const sizeBefore = sim.sizeBytes;
    applyOp(sim, op);
    const end = op.offsetBytes + op.lengthBytes;
    if (op.kind === 'flush') records.push({ flags: LogFlag.flush, targetOffsetBytes: 0, lengthBytes: 0 });
    else if (op.kind === 'write' || op.kind === 'zeroes') logWholeSectors(op.offsetBytes, end, op.fua ? LogFlag.fua : 0);
    else if (op.kind === 'discard') {
      const to = Math.min(end, sizeBefore);
      const wholeFrom = Math.ceil(op.offsetBytes / ss) * ss;
      const wholeTo = Math.floor(to / ss) * ss;
      if (wholeTo > wholeFrom) {
        logWholeSectors(op.offsetBytes, Math.min(to, wholeFrom), 0);
        records.push({ flags: LogFlag.discard, targetOffsetBytes: wholeFrom, lengthBytes: wholeTo - wholeFrom });
        logWholeSectors(Math.max(op.offsetBytes, wholeTo), to, 0);
      } else {
        logWholeSectors(op.offsetBytes, to, 0);
      }
    }
    if (replaySize !== sim.sizeBytes) {
      records.push({ flags: LogFlag.mark, targetOffsetBytes: 0, lengthBytes: 0, markBytes: sizeMarkBytes(sim.sizeBytes) });
      replaySize = sim.sizeBytes;
    }
  }
  return records;
}

/**
 * A recording as dm-log-writes log bytes (opsToLogRecords, then encodeLog), to replay onto a copy
 * of `base` with our replay or xfstests' replay-log.
 */
export function opsToLog(ops: readonly StorageOp[], base: BlockDevice, sectorSizeBytes: number): Uint8Array {
  return encodeLog(opsToLogRecords(ops, base, sectorSizeBytes), sectorSizeBytes);
}
