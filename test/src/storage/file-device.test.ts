import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FileDevice } from '../../../src/storage/file-device.js';
import { tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-file-device-');
afterAll(() => tmp.cleanup());

function freshFile(name: string, bytes: Uint8Array): string {
  const path = tmp.path(name);
  writeFileSync(path, bytes);
  return path;
}

describe('FileDevice', () => {
  it('writes past the end extend the file; reads past the end are zeros', () => {
    const path = freshFile('grow', new Uint8Array(10).fill(1));
    const dev = new FileDevice(path);
    dev.write(20, new Uint8Array([2, 3]), { fua: true });
    expect(dev.sizeBytes).toBe(22);
    expect([...dev.read(8, 16)]).toEqual([1, 1, ...new Array(10).fill(0), 2, 3, 0, 0]);
    dev.close();
    expect(statSync(path).size).toBe(22);
  });

  it('writeZeroes, discard (below the size only), truncate and flush reach the file', () => {
    const path = freshFile('ops', new Uint8Array(3 * 1024 * 1024).fill(9));
    const dev = new FileDevice(path);
    dev.writeZeroes(1, 2 * 1024 * 1024);
    dev.discard(3 * 1024 * 1024 - 2, 100);
    dev.truncate(3 * 1024 * 1024 + 5);
    dev.flush();
    dev.close();
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(3 * 1024 * 1024 + 5);
    expect([bytes[0], bytes[1], bytes[2 * 1024 * 1024], bytes[2 * 1024 * 1024 + 1]]).toEqual([9, 0, 0, 9]);
    expect([...bytes.subarray(3 * 1024 * 1024 - 3)]).toEqual([9, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('a read-only device refuses writes and keeps the file unchanged', () => {
    const path = freshFile('ro', new Uint8Array(4).fill(1));
    const dev = new FileDevice(path, { readonly: true });
    expect(() => dev.write(0, new Uint8Array(1))).toThrow(/read-only/);
    dev.close();
    expect([...readFileSync(path)]).toEqual([1, 1, 1, 1]);
  });

  it('opening a missing file or a directory fails with the OS code', () => {
    expect(() => new FileDevice(tmp.path('missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    mkdirSync(tmp.path('dir'));
    expect(() => new FileDevice(tmp.path('dir'), { readonly: true })).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});
