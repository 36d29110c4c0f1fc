import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../spec/format/format-error.js';
import { FaultyDevice } from '../../../src/storage/faulty-device.js';
import { InjectedFault, isInjectedFault } from '../../../src/storage/injected-fault.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('FaultyDevice', () => {
  it('fails exactly the nth write with the planned errno, and the write has no effect', () => {
    const inner = new MemoryDevice();
    const dev = new FaultyDevice(inner, [{ on: 'write', nth: 3, errno: 'ENOSPC' }]);
    dev.write(0, new Uint8Array([1]));
    dev.writeZeroes(1, 1);
    const err = thrown(() => dev.write(100, new Uint8Array([2])));
    expect(err).toMatchObject({ code: 'INJECTED_FAULT', errno: 'ENOSPC', opClass: 'write', ordinal: 3 });
    expect(inner.sizeBytes).toBe(2);
    dev.write(2, new Uint8Array([3]));
    expect([...inner.read(0, 3)]).toEqual([1, 0, 3]);
  });

  it('counts reads, writes and flushes separately; sticky rules keep failing', () => {
    const dev = new FaultyDevice(new MemoryDevice(10), [
      { on: 'read', nth: 2, errno: 'EIO' },
      { on: 'flush', nth: 1, errno: 'EIO', sticky: true },
    ]);
    dev.read(0, 1);
    expect(isInjectedFault(thrown(() => dev.read(0, 1)))).toBe(true);
    dev.read(0, 1);
    expect(isInjectedFault(thrown(() => dev.flush()))).toBe(true);
    expect(isInjectedFault(thrown(() => dev.flush()))).toBe(true);
    dev.truncate(5);
    expect(dev.opCounts).toEqual({ read: 3, write: 1, flush: 2, request: 3 });
  });

  it('request counts writes and flushes together: the nth of either fails', () => {
    const inner = new MemoryDevice();
    const dev = new FaultyDevice(inner, [{ on: 'request', nth: 3, errno: 'EIO' }]);
    dev.write(0, new Uint8Array([1]));
    dev.read(0, 1);
    dev.flush();
    expect(thrown(() => dev.discard(0, 1))).toMatchObject({ errno: 'EIO', opClass: 'request', ordinal: 3 });
    dev.flush();
    expect(dev.injectedCount).toBe(1);
    expect([...inner.read(0, 1)]).toEqual([1]);
  });

  it('arm counts from zero again with new rules; a sticky rule fails until disarm', () => {
    const dev = new FaultyDevice(new MemoryDevice());
    dev.write(0, new Uint8Array([1]));
    dev.flush();
    dev.arm([{ on: 'request', nth: 2, errno: 'ENOSPC', sticky: true }]);
    dev.flush();
    expect(isInjectedFault(thrown(() => dev.write(0, new Uint8Array([2]))))).toBe(true);
    expect(isInjectedFault(thrown(() => dev.flush()))).toBe(true);
    dev.read(0, 1);
    expect(dev.injectedCount).toBe(2);
    dev.disarm();
    dev.write(0, new Uint8Array([3]));
    expect([...dev.read(0, 1)]).toEqual([3]);
    expect(() => dev.arm([{ on: 'write', nth: 0, errno: 'EIO' }])).toThrow(RangeError);
  });

  it('isInjectedFault tells injected faults from every other error', () => {
    expect(isInjectedFault(new InjectedFault('EIO', 'read', 1))).toBe(true);
    expect(isInjectedFault({ code: 'INJECTED_FAULT' })).toBe(true);
    expect(isInjectedFault(new FormatError('X', 'y', 'z'))).toBe(false);
    expect(isInjectedFault(Object.assign(new Error('real'), { code: 'EIO' }))).toBe(false);
    expect(isInjectedFault(null)).toBe(false);
  });

  it('refuses a rule with nth < 1', () => {
    expect(() => new FaultyDevice(new MemoryDevice(), [{ on: 'write', nth: 0, errno: 'EIO' }])).toThrow(RangeError);
  });
});
