import { ENTRY_HEADER_SIZE_BYTES, LOG_MAGIC, LOG_VERSION, LogFlag, logLimits } from './log-format.js';

/** One entry to write. Offsets and lengths in bytes, multiples of the log sector size. */
export interface LogRecord {
  flags: number;
  targetOffsetBytes: number;
  /** Bytes covered in the target: data.length for writes, the range for discards, 0 otherwise. */
  lengthBytes: number;
  /** A write's data (lengthBytes long). */
  data?: Uint8Array;
  /** A MARK's text bytes. */
  markBytes?: Uint8Array;
}

/**
 * Encodes records as a dm-log-writes log that xfstests' replay-log and our decoder read:
 * super in sector 0, then per entry a header sector and (except for discards) its data sectors,
 * everything zero-padded.
 * @throws RangeError for a sector size or record the format cannot express (our caller's bug)
 */
export function encodeLog(records: readonly LogRecord[], sectorSizeBytes: number): Uint8Array {
  const ss = sectorSizeBytes;
  if (ss < logLimits.sectorSizeBytesMin || ss > logLimits.sectorSizeBytesMax || (ss & (ss - 1)) !== 0) throw new RangeError(`log sector size ${ss}`);
  let total = ss;
  for (const r of records) {
    checkRecord(r, ss);
    total += ss + (r.flags & LogFlag.discard ? 0 : r.lengthBytes);
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(0, LOG_MAGIC, true);
  view.setBigUint64(8, LOG_VERSION, true);
  view.setBigUint64(16, BigInt(records.length), true);
  view.setUint32(24, ss, true);
  let offset = ss;
  for (const r of records) {
    view.setBigUint64(offset, BigInt(r.targetOffsetBytes / ss), true);
    view.setBigUint64(offset + 8, BigInt(r.lengthBytes / ss), true);
    view.setBigUint64(offset + 16, BigInt(r.flags), true);
    view.setBigUint64(offset + 24, BigInt(r.markBytes?.length ?? 0), true);
    if (r.markBytes) out.set(r.markBytes, offset + ENTRY_HEADER_SIZE_BYTES);
    offset += ss;
    if (r.data) out.set(r.data, offset);
    if (!(r.flags & LogFlag.discard)) offset += r.lengthBytes;
  }
  return out;
}

function checkRecord(r: LogRecord, ss: number): void {
  const bad = (why: string): never => {
    throw new RangeError(`log record at ${r.targetOffsetBytes}: ${why}`);
  };
  if (r.targetOffsetBytes % ss !== 0 || r.lengthBytes % ss !== 0) bad(`not aligned to ${ss}-byte log sectors`);
  if (r.flags === 0 && r.lengthBytes === 0) bad('an entry with no flags and no data is read as garbage');
  const isWrite = !(r.flags & (LogFlag.discard | LogFlag.mark));
  if (isWrite && (r.data?.length ?? 0) !== r.lengthBytes) bad('write data does not match its length');
  if (!isWrite && r.data) bad('only writes carry data');
  if ((r.markBytes?.length ?? 0) > ss - ENTRY_HEADER_SIZE_BYTES) bad('mark text does not fit its sector');
  if (r.markBytes && r.flags !== LogFlag.mark) bad('only marks carry text');
}
