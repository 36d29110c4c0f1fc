/**
 * The dm-log-writes log format (Linux dm-log-writes, QEMU blklogwrites, xfstests replay-log), as
 * facts in our own words. All integers little-endian.
 *
 * Sector 0 holds the super block (28 bytes: u64 magic, u64 version, u64 entry count, u32 log sector
 * size) padded with zeros to one log sector. Entries follow from sector 1, each one sector holding a
 * 32-byte header (u64 target sector, u64 sector count, u64 flags, u64 inline data length), a MARK's
 * text, and zero padding, then `sector count` sectors of data unless it is a DISCARD. Target sectors
 * and counts are in log sectors.
 *
 * Rules a malformed log breaks (FormatError.rule):
 * - LOG-SUPER: the log is shorter than its super block or first sector.
 * - LOG-MAGIC: the magic is not 0x6a736677736872.
 * - LOG-VERSION: the version is not 1.
 * - LOG-SECTOR-SIZE: the log sector size is not a power of two in 32 B .. 8 MiB.
 * - LOG-ENTRY-COUNT: more entries than the file can hold (one sector each) or than ENTRY_COUNT_MAX.
 * - LOG-ENTRY-BOUNDS: an entry's header sector or data runs past the end of the log, or its data is
 *   larger than ENTRY_DATA_BYTES_MAX.
 * - LOG-FLAGS: flag bits outside FLUSH|FUA|DISCARD|MARK|METADATA.
 * - LOG-ENTRY-EMPTY: an entry with no flags and no sectors (replay-log treats it as garbage).
 * - LOG-MARK: a MARK with data sectors or other flags, or text longer than its sector holds.
 * - LOG-DATA-LEN: inline data on an entry that is not a MARK.
 * - LOG-PADDING: non-zero bytes in the padding of the super or of an entry sector.
 * - LOG-TARGET-RANGE: the target range ends past 2^53 bytes (no real file is that large).
 */

/** "rhswfsj\0" read as a little-endian u64. */
export const LOG_MAGIC = 0x6a736677736872n;
export const LOG_VERSION = 1n;

/** Entry flag bits. */
export const LogFlag = {
  flush: 1,
  fua: 2,
  discard: 4,
  mark: 8,
  /** Newer kernels only: the write carries file-system metadata (a hint; QEMU never sets it). */
  metadata: 16,
} as const;

export const LOG_FLAGS_KNOWN = 0x1f;

/** Bytes of the super block proper (the rest of sector 0 is zero padding). */
export const SUPER_SIZE_BYTES = 28;
/** Bytes of an entry header (the rest of its sector holds a mark's text, then zeros). */
export const ENTRY_HEADER_SIZE_BYTES = 32;

/** Limits on fields read from a log, checked before anything sized from them is allocated. */
export const logLimits = {
  /** A log sector must at least hold an entry header. */
  sectorSizeBytesMin: ENTRY_HEADER_SIZE_BYTES,
  /** QEMU requires log sectors below 16 MiB; the largest power of two below is 8 MiB. */
  sectorSizeBytesMax: 8 * 1024 * 1024,
  /** Entries decoded at most (each costs an object in memory): 2^22. */
  entryCountMax: 1 << 22,
  /** Data bytes of one entry at most (QEMU splits requests far below this): 1 GiB. */
  entryDataBytesMax: 1024 * 1024 * 1024,
} as const;

/** One decoded entry; offsets into the log let data be read only when needed. All numbers bytes. */
export interface LogEntry {
  /** 0-based position in the log (replay-log's entry number). */
  index: number;
  flags: number;
  /** Where in the target the entry applies (sector x log sector size). */
  targetOffsetBytes: number;
  /** Bytes covered in the target (sector count x log sector size); 0 for flushes and marks. */
  lengthBytes: number;
  /** Offset in the log of the entry's header sector. */
  entryOffsetBytes: number;
  /** Offset in the log of its data (the sector after the header); meaningful for writes only. */
  dataOffsetBytes: number;
  /** A MARK's raw text bytes (empty otherwise). */
  markBytes: Uint8Array;
}

/** A decoded log: its geometry and entries in order. */
export interface DecodedLog {
  sectorSizeBytes: number;
  entries: LogEntry[];
  /** Bytes from the start of the log to the end of the last entry. */
  endOffsetBytes: number;
}

