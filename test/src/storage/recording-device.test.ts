import { describe, expect, it } from 'vitest';
import { FaultyDevice } from '../../../src/storage/faulty-device.js';
import { isInjectedFault } from '../../../src/storage/injected-fault.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../src/storage/recording-device.js';

describe('RecordingDevice', () => {
  it('logs every operation in order with the size after it', () => {
    const rec = new RecordingDevice(new MemoryDevice(100));
    rec.write(90, new Uint8Array(20).fill(1), { fua: true });
    rec.writeZeroes(0, 10);
    rec.flush();
    rec.discard(0, 4);
    rec.truncate(50);
    expect(rec.ops.map(({ data: _data, ...rest }) => rest)).toEqual([
      { kind: 'write', offsetBytes: 90, lengthBytes: 20, fua: true, sizeBytesAfter: 110 },
      { kind: 'zeroes', offsetBytes: 0, lengthBytes: 10, fua: false, sizeBytesAfter: 110 },
      { kind: 'flush', offsetBytes: 0, lengthBytes: 0, fua: false, sizeBytesAfter: 110 },
      { kind: 'discard', offsetBytes: 0, lengthBytes: 4, fua: false, sizeBytesAfter: 110 },
      { kind: 'truncate', offsetBytes: 50, lengthBytes: 0, fua: false, sizeBytesAfter: 50 },
    ]);
    expect(rec.sizesBytes()).toEqual([100, 110, 110, 110, 110, 50]);
  });

  it('keeps its own copy of written data', () => {
    const rec = new RecordingDevice(new MemoryDevice());
    const buf = new Uint8Array([1, 2, 3]);
    rec.write(0, buf);
    buf.fill(0);
    expect([...rec.ops[0].data!]).toEqual([1, 2, 3]);
    expect([...rec.read(0, 3)]).toEqual([1, 2, 3]);
  });

  it('groups operations into flush epochs; the last is open until a flush ends it', () => {
    const rec = new RecordingDevice(new MemoryDevice());
    rec.write(0, new Uint8Array(1));
    rec.flush();
    rec.flush();
    rec.write(0, new Uint8Array(1));
    const epochs = rec.epochs();
    expect(epochs.map((e) => [e.firstOpIndex, e.ops.length, e.flushed])).toEqual([
      [0, 2, true],
      [2, 1, true],
      [3, 1, false],
    ]);
  });

  it('does not log an operation that failed below it', () => {
    const rec = new RecordingDevice(new FaultyDevice(new MemoryDevice(), [{ on: 'write', nth: 2, errno: 'EIO' }]));
    rec.write(0, new Uint8Array([1]));
    let caught: unknown;
    try {
      rec.write(0, new Uint8Array([2]));
    } catch (err) {
      caught = err;
    }
    expect(isInjectedFault(caught)).toBe(true);
    expect(rec.ops).toHaveLength(1);
    expect([...rec.read(0, 1)]).toEqual([1]);
  });
});
