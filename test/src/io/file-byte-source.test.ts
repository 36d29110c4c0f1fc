import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FileByteSource } from '../../../src/io/file-byte-source.js';
import { qemuImgOk, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-io-');
afterAll(() => tmp.cleanup());

/** A file of `sizeBytes` whose byte i is i % 251. */
function patterned(name: string, sizeBytes: number): string {
  const p = tmp.path(name);
  writeFileSync(p, Uint8Array.from({ length: sizeBytes }, (_, i) => i % 251));
  return p;
}

describe('FileByteSource', () => {
  it('reads a qcow2 header that qemu-img wrote, and the file size', async () => {
    // Arrange
    const p = tmp.path('made.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', p, '1M']);
    // Act
    const source = new FileByteSource(p);
    const head = source.read(0, 8);
    // Assert
    expect([...head]).toEqual([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);
    expect(source.sizeBytes).toBeGreaterThanOrEqual(3 * 4096);
    source.close();
  });

  it('reads any range inside the file exactly', () => {
    const source = new FileByteSource(patterned('pattern.bin', 100_000));
    const got = source.read(65_530, 20);
    expect([...got]).toEqual(Array.from({ length: 20 }, (_, i) => (65_530 + i) % 251));
    source.close();
  });

  it('reads short at the end of the file and nothing past it or for an empty range', () => {
    const source = new FileByteSource(patterned('short.bin', 1000));
    expect(source.read(990, 64).length).toBe(10);
    expect(source.read(990, 64)[9]).toBe(999 % 251);
    expect(source.read(1000, 1).length).toBe(0);
    expect(source.read(5000, 10).length).toBe(0);
    expect(source.read(0, 0).length).toBe(0);
    source.close();
  });

  it('fails to open a missing file or a directory with the error code the CLI prints', () => {
    const dir = tmp.path('a-dir');
    mkdirSync(dir);
    expect(() => new FileByteSource(tmp.path('missing.qcow2'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => new FileByteSource(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });

  it('cannot read once closed', () => {
    const source = new FileByteSource(patterned('closed.bin', 10));
    source.close();
    expect(() => source.read(0, 4)).toThrow();
  });
});
