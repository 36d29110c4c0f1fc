import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../../spec/format/byte-source.js';
import { isFormatError } from '../../../../spec/format/format-error.js';
import { decodeLog, readEntryData } from '../../../../src/storage/dm-log-writes/decode-log.js';
import { encodeLog, type LogRecord } from '../../../../src/storage/dm-log-writes/encode-log.js';
import { LogFlag } from '../../../../src/storage/dm-log-writes/log-format.js';
import { parseSizeMark, sizeMarkBytes } from '../../../../src/storage/dm-log-writes/size-mark.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const RECORDS: LogRecord[] = [
  { flags: 0, targetOffsetBytes: 4096, lengthBytes: 1024, data: new Uint8Array(1024).map((_, i) => i) },
  { flags: LogFlag.flush, targetOffsetBytes: 0, lengthBytes: 0 },
  { flags: LogFlag.fua, targetOffsetBytes: 0, lengthBytes: 512, data: new Uint8Array(512).fill(0xab) },
  { flags: LogFlag.discard, targetOffsetBytes: 8192, lengthBytes: 65536 },
  { flags: LogFlag.mark, targetOffsetBytes: 0, lengthBytes: 0, markBytes: text('dm-log-writes-end') },
  { flags: LogFlag.flush | LogFlag.fua, targetOffsetBytes: 512, lengthBytes: 512, data: new Uint8Array(512).fill(1) },
];

/** Decodes and turns entries back into records (data read from the log). */
function records(log: Uint8Array): LogRecord[] {
  const src = bytesSource(log);
  return decodeLog(src).entries.map((e) => ({
    flags: e.flags,
    targetOffsetBytes: e.targetOffsetBytes,
    lengthBytes: e.lengthBytes,
    ...(e.flags & (LogFlag.discard | LogFlag.mark) || e.lengthBytes === 0 ? {} : { data: readEntryData(src, e) }),
    ...(e.flags & LogFlag.mark ? { markBytes: e.markBytes } : {}),
  }));
}

function ruleOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isFormatError(err)) return err.rule;
    throw err;
  }
  return 'no error';
}

/** A valid log with one field patched (little-endian u64 or u32 at a byte offset). */
function patched(offsetBytes: number, value: bigint, width: 4 | 8 = 8, records: LogRecord[] = RECORDS): Uint8Array {
  const log = encodeLog(records, 512);
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
  if (width === 8) view.setBigUint64(offsetBytes, value, true);
  else view.setUint32(offsetBytes, Number(value), true);
  return log;
}

describe('dm-log-writes codec', () => {
  it.each([512, 4096])('round-trips byte for byte with %i-byte log sectors', (ss) => {
    const scaled = RECORDS.map((r) => ({ ...r, targetOffsetBytes: (r.targetOffsetBytes / 512) * ss, lengthBytes: (r.lengthBytes / 512) * ss, ...(r.data ? { data: new Uint8Array((r.data.length / 512) * ss).fill(r.data[1]) } : {}) }));
    const log = encodeLog(scaled, ss);
    const decoded = decodeLog(bytesSource(log));
    expect(decoded.sectorSizeBytes).toBe(ss);
    expect(decoded.endOffsetBytes).toBe(log.length);
    expect(encodeLog(records(log), ss)).toEqual(log);
  });

  it('lays out the super, entry headers and data where replay-log reads them', () => {
    const log = encodeLog(RECORDS, 512);
    const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
    expect(view.getBigUint64(0, true)).toBe(0x6a736677736872n);
    expect(view.getBigUint64(16, true)).toBe(6n);
    expect(view.getUint32(24, true)).toBe(512);
    expect(view.getBigUint64(512, true)).toBe(8n);
    expect(view.getBigUint64(520, true)).toBe(2n);
    expect(log[1024 + 5]).toBe(5);
    const discardAt = 512 * (1 + 1 + 2 + 1 + 1 + 1);
    expect(view.getBigUint64(discardAt + 16, true)).toBe(4n);
    expect(new TextDecoder().decode(log.subarray(discardAt + 512 + 32, discardAt + 512 + 49))).toBe('dm-log-writes-end');
  });

  it.each([
    ['LOG-SUPER', () => decodeLog(bytesSource(new Uint8Array(20)))],
    ['LOG-MAGIC', () => decodeLog(bytesSource(patched(0, 0x1234n)))],
    ['LOG-VERSION', () => decodeLog(bytesSource(patched(8, 2n)))],
    ['LOG-SECTOR-SIZE', () => decodeLog(bytesSource(patched(24, 1000n, 4)))],
    ['LOG-SECTOR-SIZE', () => decodeLog(bytesSource(patched(24, 16n, 4)))],
    ['LOG-ENTRY-COUNT', () => decodeLog(bytesSource(patched(16, 2n ** 40n)))],
    ['LOG-FLAGS', () => decodeLog(bytesSource(patched(512 + 16, 0x40n)))],
    ['LOG-ENTRY-EMPTY', () => decodeLog(bytesSource(patched(512 + 8, 0n)))],
    ['LOG-DATA-LEN', () => decodeLog(bytesSource(patched(512 + 24, 3n)))],
    ['LOG-PADDING', () => decodeLog(bytesSource(patched(512 + 40, 1n)))],
    ['LOG-PADDING', () => decodeLog(bytesSource(patched(100, 1n)))],
    ['LOG-TARGET-RANGE', () => decodeLog(bytesSource(patched(512, 2n ** 60n)))],
    ['LOG-ENTRY-BOUNDS', () => decodeLog(bytesSource(patched(512 + 8, 2n ** 40n)))],
    ['LOG-ENTRY-BOUNDS', () => decodeLog(bytesSource(encodeLog(RECORDS, 512).subarray(0, 5632 - 100)))],
    ['LOG-ENTRY-COUNT', () => decodeLog(bytesSource(encodeLog(RECORDS, 512).subarray(0, 1500)))],
    ['LOG-MARK', () => decodeLog(bytesSource(patched(512 * 8 + 8, 1n)))],
    ['LOG-MARK', () => decodeLog(bytesSource(patched(512 * 8 + 24, 481n)))],
  ])('a malformed log breaks %s', (rule, decode) => {
    expect(ruleOf(decode)).toBe(rule);
  });

  it('accepts the newer kernels\' METADATA flag as a hint', () => {
    const log = encodeLog([{ flags: LogFlag.metadata, targetOffsetBytes: 0, lengthBytes: 512, data: new Uint8Array(512) }], 512);
    expect(decodeLog(bytesSource(log)).entries[0].flags).toBe(LogFlag.metadata);
  });

  it('size marks carry a byte size; other marks are not size marks', () => {
    expect(parseSizeMark(sizeMarkBytes(196616))).toBe(196616);
    expect(parseSizeMark(text('dm-log-writes-end'))).toBeNull();
    expect(parseSizeMark(text('crashcow-size=12x'))).toBeNull();
  });

  it('the encoder refuses records the format cannot express', () => {
    expect(() => encodeLog([{ flags: 0, targetOffsetBytes: 100, lengthBytes: 512, data: new Uint8Array(512) }], 512)).toThrow(/aligned/);
    expect(() => encodeLog([{ flags: 0, targetOffsetBytes: 0, lengthBytes: 0 }], 512)).toThrow(/garbage/);
  });
});
