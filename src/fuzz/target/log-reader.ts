/**
 * LogReader: turns a growing blklogwrites log file into StorageOps incrementally: each `sync()`
 * decodes the entry headers and converts only the entries it has not seen yet. File sizes follow
 * the writes (a log has no truncates), starting from the size the file had when the log began.
 */
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { readFileSync } from 'node:fs';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { decodeLog } from '../../storage/dm-log-writes/decode-log.js';
import { forEachLogOp } from '../../storage/dm-log-writes/log-ops.js';

export class LogReader {
  readonly ops: StorageOp[] = [];
  private entriesSeen = 0;
  private sizeBytes: number;

  constructor(
    private readonly logPath: string,
    startSizeBytes: number,
  ) {
    this.sizeBytes = startSizeBytes;
  }

  /** Reads entries logged since the last call (the log is read whole, in one call). @throws FormatError for a malformed log */
  sync(): void {
    const bytes = readFileSync(this.logPath);
    if (bytes.length === 0) return;
    const log = bytesSource(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    const decoded = decodeLog(log);
    if (decoded.entries.length <= this.entriesSeen) return;
    const fresh = { ...decoded, entries: decoded.entries.slice(this.entriesSeen) };
    forEachLogOp(log, fresh, this.sizeBytes, fresh.entries.length - 1, (op) => {
      this.ops.push(op.data ? { ...op, data: op.data.slice() } : op);
      this.sizeBytes = op.sizeBytesAfter;
    });
    this.entriesSeen = decoded.entries.length;
  }
}
