import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { writeImageFile } from '../../../src/storage/image-file.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-storage-');
afterAll(() => tmp.cleanup());

describe('writeImageFile', () => {
  it('writes the device byte for byte at its size, replacing any file there', () => {
    const dev = new MemoryDevice();
    dev.write(5, Uint8Array.of(1, 2, 3));
    dev.write((1 << 20) + 7, Uint8Array.of(9));
    const path = tmp.path('out.img');
    writeImageFile(path, MemoryDevice.from(new Uint8Array(3 << 20).fill(1)));
    writeImageFile(path, dev);
    const bytes = new Uint8Array(readFileSync(path));
    expect(bytes.length).toBe(dev.sizeBytes);
    expect(Buffer.from(bytes).equals(Buffer.from(dev.read(0, dev.sizeBytes)))).toBe(true);
  });

  it('leaves all-zero megabytes as holes', () => {
    const dev = new MemoryDevice(4 << 20);
    dev.write(0, Uint8Array.of(1));
    const path = tmp.path('sparse.img');
    writeImageFile(path, dev);
    const st = statSync(path);
    expect(st.size).toBe(4 << 20);
    expect(st.blocks * 512).toBeLessThanOrEqual(2 << 20);
  });
});
