import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFormatError } from '../../../spec/format/format-error.js';
import { imageInfo } from '../../../src/image/image-info.js';
import { qemuImgOk, qemuInfo, qemuIo, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-image-info-');
afterAll(() => tmp.cleanup());

const paths: Record<string, string> = {};

beforeAll(async () => {
  paths.v2 = tmp.path('v2.qcow2');
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'compat=0.10,cluster_size=4k', paths.v2, '3M']);
  paths.rich = tmp.path('rich.qcow2');
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'lazy_refcounts=on,extended_l2=on,cluster_size=32k,refcount_bits=8', paths.rich, '16M']);
  await qemuIo(paths.rich, ['write -P 3 0 100k']);
  await qemuImgOk(['snapshot', '-c', 'first', paths.rich]);
  await qemuImgOk(['bitmap', '--add', '-g', '128k', paths.rich, 'b1']);
  await qemuImgOk(['bitmap', '--add', '--disable', paths.rich, 'b2']);
  paths.overlay = tmp.path('overlay.qcow2');
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-b', 'v2.qcow2', '-F', 'qcow2', paths.overlay]);
});

describe('imageInfo', () => {
  it.each(['v2', 'rich', 'overlay'])('gives what qemu-img info --output=json gives for the %s image', async (name) => {
    // Arrange
    const expected = await qemuInfo(paths[name]);
    // Act
    const actual = imageInfo(paths[name]);
    // Assert
    expect(JSON.parse(JSON.stringify(actual))).toEqual(expected);
  });

  it('throws a FormatError for a file that is not a qcow2 image', () => {
    const path = tmp.path('not.qcow2');
    writeFileSync(path, new Uint8Array(4096).fill(7));
    let caught: unknown;
    try {
      imageInfo(path);
    } catch (err) {
      caught = err;
    }
    expect(isFormatError(caught) && caught.rule).toBe('HDR-1');
  });

  it('never opens the backing file it names', () => {
    const path = tmp.path('dangling.qcow2');
    writeFileSync(path, readFileSync(paths.overlay));
    expect(imageInfo(path)['backing-filename']).toBe('v2.qcow2');
  });
});
