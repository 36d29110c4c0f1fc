import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isImageError } from '../../../src/image/image-error.js';
import { openImage } from '../../../src/image/open-image.js';
import { writeRaw } from '../../../src/image/write-raw.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-write-raw-');
afterAll(() => tmp.cleanup());
const image = tmp.path('src.qcow2');

beforeAll(async () => {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', image, '16M']);
  await qemuIo(image, ['write -P 1 0 6k', 'write -P 2 5M 64k', 'write -z 5M 8k', 'write -P 0 9M 8k', 'write -c -P 3 12M 4k']);
});

describe('writeRaw', () => {
  it('writes the bytes qemu-img convert -O raw writes, sparse where the guest reads zeros', async () => {
    // Arrange
    const expected = tmp.path('qemu.raw');
    await qemuImgOk(['convert', '-O', 'raw', image, expected]);
    const out = tmp.path('crashcow.raw');
    const opened = openImage(image);
    // Act
    try {
      writeRaw(opened, out);
    } finally {
      opened.close();
    }
    // Assert
    expect(readFileSync(out).equals(readFileSync(expected))).toBe(true);
    expect(statSync(out).size).toBe(16 << 20);
    expect(statSync(out).blocks * 512).toBeLessThan(1 << 20);
  });

  it('refuses to write over the image it converts', () => {
    const opened = openImage(image);
    let caught: unknown;
    try {
      writeRaw(opened, image);
    } catch (err) {
      caught = err;
    } finally {
      opened.close();
    }
    expect(isImageError(caught) && caught.reason).toBe('same-file');
    expect(readFileSync(image).subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
  });
});
