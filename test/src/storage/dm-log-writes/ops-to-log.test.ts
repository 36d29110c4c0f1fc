import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../../spec/format/byte-source.js';
import { applyOp } from '../../../../src/storage/apply-op.js';
import { decodeLog } from '../../../../src/storage/dm-log-writes/decode-log.js';
import { encodeLog } from '../../../../src/storage/dm-log-writes/encode-log.js';
import { LogFlag } from '../../../../src/storage/dm-log-writes/log-format.js';
import { logToOps } from '../../../../src/storage/dm-log-writes/log-ops.js';
import { opsToLogRecords } from '../../../../src/storage/dm-log-writes/ops-to-log.js';
import { replayLog } from '../../../../src/storage/dm-log-writes/replay-log.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const BASE = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
const contents = (dev: MemoryDevice): Uint8Array => dev.read(0, dev.sizeBytes);

/** A recording with unaligned writes, zeroing, discards, FUA, growth and shrinks. */
function recording(): RecordingDevice {
  const rec = new RecordingDevice(MemoryDevice.from(BASE));
  rec.write(100, new Uint8Array(1000).fill(1));
  rec.flush();
  rec.writeZeroes(4000, 3000);
  rec.write(0, new Uint8Array(512).fill(2), { fua: true });
  rec.discard(300, 2000);
  rec.write(7001, new Uint8Array([3, 3, 3]));
  rec.truncate(6000);
  rec.flush();
  rec.discard(5500, 5000);
  rec.truncate(9000);
  return rec;
}

describe('recordings as dm-log-writes logs', () => {
  it.each([512, 4096])('replaying every prefix of the log rebuilds every intermediate state (%i-byte log sectors)', (ss) => {
    const rec = recording();
    const log = bytesSource(encodeLog(opsToLogRecords(rec.ops, MemoryDevice.from(BASE), ss), ss));
    const decoded = decodeLog(log);
    const expected = MemoryDevice.from(BASE);
    for (const [i, op] of rec.ops.entries()) {
      applyOp(expected, op);
      // Conversion is sequential, so the records of a prefix of the recording are a prefix of the log.
      const lastEntry = opsToLogRecords(rec.ops.slice(0, i + 1), MemoryDevice.from(BASE), ss).length - 1;
      const replayed = MemoryDevice.from(BASE);
      replayLog(log, decoded, replayed, lastEntry);
      expect(Buffer.from(contents(replayed)).equals(contents(expected)), `after op ${i} (${op.kind})`).toBe(true);
    }
    expect(logToOps(log, decoded, BASE.length).ops.at(-1)).toMatchObject({ kind: 'truncate', offsetBytes: 9000, sizeBytesAfter: 9000 });
  });

  it('keeps flushes and FUA, logs zeroing as written zeros and sizes as marks', () => {
    const records = opsToLogRecords(recording().ops, MemoryDevice.from(BASE), 512);
    expect(records.filter((r) => r.flags === LogFlag.flush)).toHaveLength(2);
    expect(records.filter((r) => r.flags === LogFlag.fua)).toHaveLength(1);
    expect(records.filter((r) => r.flags === LogFlag.discard).length).toBeGreaterThan(0);
    const marks = records.filter((r) => r.flags === LogFlag.mark).map((r) => new TextDecoder().decode(r.markBytes));
    expect(marks).toContain('crashcow-size=6000');
    expect(marks).toContain('crashcow-size=9000');
  });
});

