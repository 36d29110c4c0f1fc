/**
 * Compressed clusters across engines (CMP-1..CMP-4): the built-in engine reads the deflate and
 * zstd clusters qemu-io writes, and qemu-img checks clean and reads back the clusters the built-in
 * engine compresses (deflate; with zstd, which it cannot encode, it writes them uncompressed).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import { writeImageFile } from '../../../../src/storage/image-file.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { counter, qemuCheck, qemuImgOk, qemuIo, tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-compression-');
afterAll(() => tmp.cleanup());
const engine = new BuiltinEngine();

/** 8 KiB that compress well but are not one repeated byte. */
function patterned(): Uint8Array {
  return Uint8Array.from({ length: 8192 }, (_, i) => (i >> 6) & 0xff);
}

describe.each(['zlib', 'zstd'] as const)('compressed clusters, %s', (type) => {
  it('the built-in engine reads what qemu-io compressed', async () => {
    // Arrange
    const path = tmp.path(`qemu-${type}.qcow2`);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', `cluster_size=4k,compression_type=${type}`, path, '1M']);
    await qemuIo(path, ['write -c -P 0x5a 0 8k', 'write -P 0x11 8k 4k']);
    const check = await qemuCheck(path);
    // Act
    const image = await engine.open({ device: MemoryDevice.from(new Uint8Array(readFileSync(path))) }, { readOnly: true });
    const bytes = await image.read(0, 12288);
    await image.close();
    // Assert
    expect(check.json['compressed-clusters']).toBe(2);
    expect(bytes.subarray(0, 8192).every((b) => b === 0x5a)).toBe(true);
    expect(bytes.subarray(8192).every((b) => b === 0x11)).toBe(true);
  });

  it('qemu-img checks clean and reads back what the built-in engine compressed', async () => {
    // Arrange
    const device = new MemoryDevice();
    await engine.create({ device }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, compressionType: type });
    const image = await engine.open({ device });
    // Act
    await image.write(64 * 1024, patterned(), { compressed: true });
    await image.close();
    const path = tmp.path(`builtin-${type}.qcow2`);
    writeImageFile(path, device);
    // Assert
    const check = await qemuCheck(path);
    expect(check.exitCode).toBe(0);
    expect(counter(check.json, 'compressed-clusters')).toBe(type === 'zlib' ? 2 : 0);
    const raw = tmp.path(`builtin-${type}.raw`);
    await qemuImgOk(['convert', '-O', 'raw', path, raw]);
    expect(new Uint8Array(readFileSync(raw)).subarray(64 * 1024, 72 * 1024)).toEqual(patterned());
  });
});
