import { describe, expect, it } from 'vitest';
import { CowDevice } from '../../../src/storage/cow-device.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';

describe('CowDevice', () => {
  it('writes land in the overlay; the lower device never changes', () => {
    const lower = MemoryDevice.from(new Uint8Array(8192).fill(1));
    const cow = new CowDevice(lower);
    cow.write(4000, new Uint8Array(200).fill(2));
    cow.discard(0, 10);
    expect(lower.read(0, 8192)).toEqual(new Uint8Array(8192).fill(1));
    expect([...cow.read(0, 11)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...cow.read(3999, 2)]).toEqual([1, 2]);
    expect([...cow.read(4199, 2)]).toEqual([2, 1]);
  });

  it('a shrink hides the lower tail even after growing again', () => {
    const lower = MemoryDevice.from(new Uint8Array(8192).fill(1));
    const cow = new CowDevice(lower);
    cow.truncate(1000);
    cow.truncate(8192);
    expect(cow.read(999, 2)).toEqual(new Uint8Array([1, 0]));
    expect(cow.read(5000, 100)).toEqual(new Uint8Array(100));
  });

  it('can start smaller than its lower device', () => {
    const cow = new CowDevice(MemoryDevice.from(new Uint8Array(100).fill(1)), { sizeBytes: 10 });
    cow.truncate(20);
    expect([...cow.read(8, 4)]).toEqual([1, 1, 0, 0]);
  });

  it('fork gives two independent copies', () => {
    const cow = new CowDevice(MemoryDevice.from(new Uint8Array(4096).fill(1)));
    cow.write(0, new Uint8Array([5]));
    const copy = cow.fork();
    cow.write(1, new Uint8Array([6]));
    copy.write(0, new Uint8Array([7]));
    expect([...cow.read(0, 3)]).toEqual([5, 6, 1]);
    expect([...copy.read(0, 3)]).toEqual([7, 1, 1]);
  });
});
