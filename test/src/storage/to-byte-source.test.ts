import { describe, expect, it } from 'vitest';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { toByteSource } from '../../../src/storage/to-byte-source.js';

describe('toByteSource', () => {
  it('returns a shorter array at end of file and nothing past it, as ByteSource requires', () => {
    const dev = MemoryDevice.from(new Uint8Array([1, 2, 3]));
    const src = toByteSource(dev);
    expect([...src.read(1, 10)]).toEqual([2, 3]);
    expect(src.read(3, 10).length).toBe(0);
    expect(src.read(0, 0).length).toBe(0);
  });

  it('follows the device as it grows', () => {
    const dev = new MemoryDevice();
    const src = toByteSource(dev);
    dev.write(0, new Uint8Array([7]));
    expect(src.sizeBytes).toBe(1);
    expect([...src.read(0, 4)]).toEqual([7]);
  });
});
