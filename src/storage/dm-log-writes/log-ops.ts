import type { ByteSource } from '../../../spec/format/byte-source.js';
import { FormatError } from '../../../spec/format/format-error.js';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { readEntryData } from './decode-log.js';
import { LogFlag, type DecodedLog } from './log-format.js';
import { parseSizeMark } from './size-mark.js';

/** A log as a RecordingDevice-style history, with the entry each operation came from. */
export interface LogOps {
  ops: StorageOp[];
  /** entryIndexOfOp[i]: the log entry operation i came from. */
  entryIndexOfOp: number[];
}

/**
 * Visits the operations of entries 0..lastEntryIndex in order, reading each write's data only
 * when its turn comes. A FLUSH entry with data is a flush followed by the write (a pre-flush write);
 * a DISCARD is a discard; a size mark (size-mark.ts) is a truncate; other marks change nothing.
 * @param startSizeBytes size of the target file before the first entry
 * @throws FormatError (LOG-ENTRY-BOUNDS) when data is missing from the log
 */
export function forEachLogOp(log: ByteSource, decoded: DecodedLog, startSizeBytes: number, lastEntryIndex: number, visit: (op: StorageOp, entryIndex: number) => void): void {
  let size = startSizeBytes;
  const last = Math.min(lastEntryIndex, decoded.entries.length - 1);
  for (let i = 0; i <= last; i++) {
    const e = decoded.entries[i];
    const emit = (op: Omit<StorageOp, 'sizeBytesAfter'>, sizeBytesAfter: number): void => {
      size = sizeBytesAfter;
      visit({ ...op, sizeBytesAfter }, i);
    };
    const at = e.targetOffsetBytes;
    if (e.flags & LogFlag.mark) {
      const markedSize = parseSizeMark(e.markBytes);
      if (markedSize !== null) emit({ kind: 'truncate', offsetBytes: markedSize, lengthBytes: 0, fua: false }, markedSize);
    } else if (e.flags & LogFlag.discard) {
      emit({ kind: 'discard', offsetBytes: at, lengthBytes: e.lengthBytes, fua: false }, size);
    } else {
      if (e.flags & LogFlag.flush) emit({ kind: 'flush', offsetBytes: 0, lengthBytes: 0, fua: false }, size);
      if (e.lengthBytes > 0) {
        const data = readEntryData(log, e);
        emit({ kind: 'write', offsetBytes: at, lengthBytes: data.length, data, fua: (e.flags & LogFlag.fua) !== 0 }, Math.max(size, at + data.length));
      }
    }
  }
}

/** Most write data a log may carry to be turned into operations held in memory: 2 GiB. */
const LOG_DATA_IN_MEMORY_BYTES_MAX = 2 * 1024 * 1024 * 1024;

/**
 * All operations of a log, with their data in memory (see forEachLogOp).
 * @throws FormatError (rule CRASHCOW-LOG-DATA) when the writes carry more than
 *   LOG_DATA_IN_MEMORY_BYTES_MAX bytes, or (LOG-ENTRY-BOUNDS) when data is missing
 */
export function logToOps(log: ByteSource, decoded: DecodedLog, startSizeBytes: number): LogOps {
  const dataBytes = decoded.entries.reduce((n, e) => n + (e.flags & (LogFlag.discard | LogFlag.mark) ? 0 : e.lengthBytes), 0);
  if (dataBytes > LOG_DATA_IN_MEMORY_BYTES_MAX) {
    throw new FormatError('CRASHCOW-LOG-DATA', 'log entries', `${dataBytes} bytes of write data; at most ${LOG_DATA_IN_MEMORY_BYTES_MAX} are held in memory`);
  }
  const out: LogOps = { ops: [], entryIndexOfOp: [] };
  forEachLogOp(log, decoded, startSizeBytes, decoded.entries.length - 1, (op, entryIndex) => {
    out.ops.push(op);
    out.entryIndexOfOp.push(entryIndex);
  });
  return out;
}
