import { describe, expect, it } from 'vitest';
import { contentDigest } from '../../../src/storage/content-digest.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

describe('contentDigest', () => {
  it('is equal for equal files and differs on one byte or on the size alone', () => {
    const a = MemoryDevice.from(new Uint8Array(3 << 20).fill(4));
    const b = MemoryDevice.from(new Uint8Array(3 << 20).fill(4));
    const longer = MemoryDevice.from(new Uint8Array((3 << 20) + 1).fill(4));
    longer.write(3 << 20, Uint8Array.of(0));
    const digest = contentDigest(a);
    expect(contentDigest(b)).toBe(digest);
    b.write(2 << 20, Uint8Array.of(5));
    expect(contentDigest(b)).not.toBe(digest);
    expect(contentDigest(new MemoryDevice(10))).not.toBe(contentDigest(new MemoryDevice(11)));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });
});
