import { BoundedReader, hex } from '../../../spec/format/bounded-reader.js';
import type { ByteSource } from '../../../spec/format/byte-source.js';
import { FormatError } from '../../../spec/format/format-error.js';
import { ENTRY_HEADER_SIZE_BYTES, LOG_FLAGS_KNOWN, LOG_MAGIC, LOG_VERSION, LogFlag, logLimits, SUPER_SIZE_BYTES, type DecodedLog, type LogEntry } from './log-format.js';

/**
 * Decodes a dm-log-writes log's super block and entry headers (not the data, which stays in the
 * log; see readEntryData). Every field is checked against the file size and the named limits
 * before anything sized from it is allocated.
 * @throws FormatError naming one of the LOG-* rules of log-format.ts
 */
export function decodeLog(log: ByteSource): DecodedLog {
  const { sectorSizeBytes, entryCount } = decodeSuper(log);
  const entries: LogEntry[] = [];
  let offset = sectorSizeBytes;
  for (let index = 0; index < entryCount; index++) {
    const entry = decodeEntry(log, index, offset, sectorSizeBytes);
    entries.push(entry);
    offset = entry.dataOffsetBytes + (entry.flags & LogFlag.discard ? 0 : entry.lengthBytes);
  }
  return { sectorSizeBytes, entries, endOffsetBytes: offset };
}

/** The data of a write entry, read from the log (lengthBytes bytes). */
export function readEntryData(log: ByteSource, entry: LogEntry): Uint8Array {
  const r = new BoundedReader(log.read(entry.dataOffsetBytes, entry.lengthBytes), entry.dataOffsetBytes, 'LOG-ENTRY-BOUNDS', `entry ${entry.index} data`);
  return r.slice(0, entry.lengthBytes);
}

function decodeSuper(log: ByteSource): { sectorSizeBytes: number; entryCount: number } {
  const r = new BoundedReader(log.read(0, SUPER_SIZE_BYTES), 0, 'LOG-SUPER', 'log super');
  r.slice(0, SUPER_SIZE_BYTES);
  const magic = r.u64le(0);
  if (magic !== LOG_MAGIC) throw new FormatError('LOG-MAGIC', 'log super.magic @0x0', `magic ${hex(magic)} is not ${hex(LOG_MAGIC)}: not a dm-log-writes log`);
  const version = r.u64le(8);
  if (version !== LOG_VERSION) throw new FormatError('LOG-VERSION', 'log super.version @0x8', `version ${version}, only ${LOG_VERSION} exists`);
  const entryCountRaw = r.u64le(16);
  const sectorSizeBytes = r.u32le(24);
  if (sectorSizeBytes < logLimits.sectorSizeBytesMin || sectorSizeBytes > logLimits.sectorSizeBytesMax || (sectorSizeBytes & (sectorSizeBytes - 1)) !== 0) {
    throw new FormatError('LOG-SECTOR-SIZE', 'log super.sectorsize @0x18', `${sectorSizeBytes} is not a power of two in ${logLimits.sectorSizeBytesMin}..${logLimits.sectorSizeBytesMax}`);
  }
  const sector = new BoundedReader(log.read(0, sectorSizeBytes), 0, 'LOG-SUPER', 'log super sector');
  expectZeros(sector.slice(SUPER_SIZE_BYTES, sectorSizeBytes - SUPER_SIZE_BYTES), SUPER_SIZE_BYTES, 'log super padding');
  const fits = BigInt(Math.floor(log.sizeBytes / sectorSizeBytes) - 1);
  if (entryCountRaw > fits || entryCountRaw > BigInt(logLimits.entryCountMax)) {
    throw new FormatError('LOG-ENTRY-COUNT', 'log super.nr_entries @0x10', `${entryCountRaw} entries, but the ${log.sizeBytes}-byte log holds at most ${fits} (limit ${logLimits.entryCountMax})`);
  }
  return { sectorSizeBytes, entryCount: Number(entryCountRaw) };
}

function decodeEntry(log: ByteSource, index: number, offsetBytes: number, sectorSizeBytes: number): LogEntry {
  const what = `entry ${index}`;
  const r = new BoundedReader(log.read(offsetBytes, sectorSizeBytes), offsetBytes, 'LOG-ENTRY-BOUNDS', what);
  r.slice(0, sectorSizeBytes);
  const sector = r.u64le(0);
  const sectorCount = r.u64le(8);
  const flagsRaw = r.u64le(16);
  const dataLen = r.u64le(24);
  const at = (field: number): string => `${what} @${hex(offsetBytes + field)}`;
  if ((flagsRaw & ~BigInt(LOG_FLAGS_KNOWN)) !== 0n) throw new FormatError('LOG-FLAGS', at(16), `unknown flag bits in ${hex(flagsRaw)}`);
  const flags = Number(flagsRaw);
  if (flags === 0 && sectorCount === 0n) throw new FormatError('LOG-ENTRY-EMPTY', at(0), 'no flags and no sectors');
  const ss = BigInt(sectorSizeBytes);
  if (sectorCount * ss > BigInt(logLimits.entryDataBytesMax)) throw new FormatError('LOG-ENTRY-BOUNDS', at(8), `${sectorCount} sectors exceed the ${logLimits.entryDataBytesMax}-byte entry limit`);
  if ((sector + sectorCount) * ss > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('LOG-TARGET-RANGE', at(0), `target sector ${sector} + ${sectorCount} ends past 2^53 bytes`);
  const textRoom = sectorSizeBytes - ENTRY_HEADER_SIZE_BYTES;
  let markBytes = new Uint8Array(0);
  if (flags & LogFlag.mark) {
    if (flags !== LogFlag.mark || sectorCount !== 0n) throw new FormatError('LOG-MARK', at(8), `a mark has flags ${hex(flags)} and ${sectorCount} sectors; marks carry neither`);
    if (dataLen > BigInt(textRoom)) throw new FormatError('LOG-MARK', at(24), `mark text of ${dataLen} bytes does not fit the ${textRoom} bytes left in its sector`);
    markBytes = r.slice(ENTRY_HEADER_SIZE_BYTES, Number(dataLen)).slice();
  } else if (dataLen !== 0n) {
    throw new FormatError('LOG-DATA-LEN', at(24), `inline data length ${dataLen} on an entry that is not a mark`);
  }
  const padFrom = ENTRY_HEADER_SIZE_BYTES + markBytes.length;
  expectZeros(r.slice(padFrom, sectorSizeBytes - padFrom), offsetBytes + padFrom, `${what} padding`);
  const lengthBytes = Number(sectorCount * ss);
  const dataOffsetBytes = offsetBytes + sectorSizeBytes;
  if (!(flags & LogFlag.discard) && dataOffsetBytes + lengthBytes > log.sizeBytes) {
    throw new FormatError('LOG-ENTRY-BOUNDS', at(8), `${lengthBytes} data bytes at ${hex(dataOffsetBytes)} run past the end of the ${log.sizeBytes}-byte log`);
  }
  return { index, flags, targetOffsetBytes: Number(sector * ss), lengthBytes, entryOffsetBytes: offsetBytes, dataOffsetBytes, markBytes };
}

function expectZeros(bytes: Uint8Array, offsetBytes: number, what: string): void {
  const i = bytes.findIndex((b) => b !== 0);
  if (i >= 0) throw new FormatError('LOG-PADDING', `${what} @${hex(offsetBytes + i)}`, `byte 0x${bytes[i].toString(16)} where the format has zero padding`);
}
