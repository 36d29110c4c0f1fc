import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { isFormatError } from '../../../spec/format/format-error.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { readBitmapInfo } from '../../../src/image/bitmap-info.js';
import { qemuImgOk, qemuInfo, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-bitmap-info-');
afterAll(() => tmp.cleanup());
let path = '';
let original = new Uint8Array();

/** Bitmaps extension type (BM-1). */
const BITMAPS_EXTENSION = 0x23852875;

beforeAll(async () => {
  path = tmp.path('bitmaps.qcow2');
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', path, '8M']);
  await qemuImgOk(['bitmap', '--add', '-g', '64k', path, 'fast']);
  await qemuImgOk(['bitmap', '--add', '--disable', path, 'off']);
  original = new Uint8Array(readFileSync(path));
});

/** The offset of the bitmaps extension's data in cluster 0. */
function bitmapsExtensionAt(bytes: Uint8Array): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = v.getUint32(100); at + 8 <= 4096; ) {
    const type = v.getUint32(at);
    const length = v.getUint32(at + 4);
    if (type === BITMAPS_EXTENSION) return at + 8;
    if (type === 0) break;
    at += 8 + Math.ceil(length / 8) * 8;
  }
  throw new Error('no bitmaps extension');
}

function infoOf(bytes: Uint8Array) {
  const source = bytesSource(bytes);
  return readBitmapInfo(readImageMeta(source), source);
}

describe('readBitmapInfo', () => {
  it('lists the bitmaps as qemu-img info does (name, granularity, flags)', async () => {
    const qemu = (await qemuInfo(path)) as { 'format-specific': { data: { bitmaps: unknown[] } } };
    expect(infoOf(original)).toEqual(qemu['format-specific'].data.bitmaps);
  });

  it('lists none without a bitmaps extension', async () => {
    const plain = tmp.path('plain.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', plain, '1M']);
    expect(infoOf(new Uint8Array(readFileSync(plain)))).toEqual([]);
  });

  it.each([
    ['nb_bitmaps past the limit', 0, (v: DataView, at: number) => v.setUint32(at, 70000), 'EXT-6'],
    ['a directory past its size limit', 8, (v: DataView, at: number) => v.setBigUint64(at + 8, 2n ** 40n), 'EXT-6'],
    ['a misaligned directory', 16, (v: DataView, at: number) => v.setBigUint64(at + 16, v.getBigUint64(at + 16) + 8n), 'BM-1'],
  ] as const)('refuses %s before reading it (%s)', (_name, _field, poke, rule) => {
    const bytes = original.slice();
    poke(new DataView(bytes.buffer), bitmapsExtensionAt(bytes));
    let caught: unknown;
    try {
      infoOf(bytes);
    } catch (err) {
      caught = err;
    }
    expect(isFormatError(caught) && caught.rule).toBe(rule);
  });
});
