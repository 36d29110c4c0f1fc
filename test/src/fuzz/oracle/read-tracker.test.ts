import { describe, expect, it } from 'vitest';
import { ReadTracker } from '../../../../src/fuzz/oracle/read-tracker.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';

const SECTOR = 512;

/** 16 sectors, each filled with its own index. */
function device(): MemoryDevice {
  const bytes = new Uint8Array(16 * SECTOR);
  for (let s = 0; s < 16; s++) bytes.fill(s, s * SECTOR, (s + 1) * SECTOR);
  return MemoryDevice.from(bytes);
}

/** A tracker watching sectors 4 and 9 of `device()`. */
function tracker(watched = [4, 9], sectorSizeBytes = SECTOR): ReadTracker {
  return new ReadTracker(device(), Float64Array.from(watched), sectorSizeBytes);
}

describe('ReadTracker', () => {
  it('passes reads through unchanged, with read and readInto', () => {
    // Arrange
    const t = tracker();
    const into = new Uint8Array(SECTOR + 2);
    // Act
    const read = t.read(3 * SECTOR - 1, SECTOR + 2);
    t.readInto(3 * SECTOR - 1, into);
    // Assert
    expect(t.sizeBytes).toBe(16 * SECTOR);
    expect([read[0], read[1], read[SECTOR], read[SECTOR + 1]]).toEqual([2, 3, 3, 4]);
    expect(into).toEqual(read);
  });

  it('stays untouched by reads that end right before a watched sector or start right after it', () => {
    const t = tracker();
    t.read(0, 4 * SECTOR);
    t.read(5 * SECTOR, 4 * SECTOR);
    t.readInto(10 * SECTOR, new Uint8Array(6 * SECTOR));
    expect(t.touched).toBe(false);
  });

  it('notes a read that reaches the first byte of a watched sector', () => {
    const t = tracker();
    t.read(4 * SECTOR - 1, 2);
    expect(t.touched).toBe(true);
  });

  it('notes a one-byte read of the last byte of a watched sector', () => {
    const t = tracker();
    t.read(10 * SECTOR - 1, 1);
    expect(t.touched).toBe(true);
  });

  it('notes a read that spans a watched sector from outside it', () => {
    const t = tracker();
    t.readInto(8 * SECTOR, new Uint8Array(3 * SECTOR));
    expect(t.touched).toBe(true);
  });

  it('stays touched once touched', () => {
    const t = tracker();
    t.read(4 * SECTOR, 1);
    t.read(0, 1);
    expect(t.touched).toBe(true);
  });

  it('ignores empty reads and an empty watch list', () => {
    const t = tracker();
    t.read(4 * SECTOR, 0);
    const none = tracker([]);
    none.read(0, 16 * SECTOR);
    expect(t.touched).toBe(false);
    expect(none.touched).toBe(false);
  });

  it('counts watched sectors in its own sector size', () => {
    // Sector 1 of 4 KiB covers bytes [4096, 8192): byte 4095 is outside, 8191 inside.
    const t = tracker([1], 4096);
    t.read(4095, 1);
    expect(t.touched).toBe(false);
    t.read(8191, 1);
    expect(t.touched).toBe(true);
  });

  it('refuses every change and lets a flush through', () => {
    const t = tracker();
    expect(() => t.write()).toThrow(/read-only/);
    expect(() => t.writeZeroes()).toThrow(/read-only/);
    expect(() => t.discard()).toThrow(/read-only/);
    expect(() => t.truncate()).toThrow(/read-only/);
    expect(() => t.flush()).not.toThrow();
  });
});
