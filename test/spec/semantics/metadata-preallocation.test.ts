/**
 * QEMU's metadata-preallocation heuristic (qcow2_detect_metadata_preallocation): detected when the
 * refcounted clusters outnumber the allocated ones by the threshold, and never on damaged refcounts.
 */
import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { detectMetadataPreallocation } from '../../../spec/semantics/metadata-preallocation.js';
import { qemuImgOk, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-prealloc-');
afterAll(() => tmp.cleanup());

async function image(name: string, options: string) {
  const path = tmp.path(name);
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', options, path, '16M']);
  const bytes = new Uint8Array(readFileSync(path));
  return { bytes, meta: readImageMeta(bytesSource(bytes)), allocatedBytes: statSync(path).blocks * 512 };
}

describe('detectMetadataPreallocation', () => {
  it('detects preallocation=metadata (256 refcounted clusters, a few allocated)', async () => {
    const img = await image('meta.qcow2', 'preallocation=metadata,cluster_size=64k');
    expect(detectMetadataPreallocation(img.meta, bytesSource(img.bytes), img.allocatedBytes)).toBe(true);
  });

  it('does not detect it when the file system holds as many clusters as are refcounted', async () => {
    const img = await image('meta2.qcow2', 'preallocation=metadata,cluster_size=64k');
    expect(detectMetadataPreallocation(img.meta, bytesSource(img.bytes), img.bytes.length)).toBe(false);
  });

  it('does not detect it on an image without preallocation', async () => {
    const img = await image('plain.qcow2', 'cluster_size=64k');
    expect(detectMetadataPreallocation(img.meta, bytesSource(img.bytes), img.allocatedBytes)).toBe(false);
  });

  it('treats an unaligned refcount block offset as "not detected", like QEMU treats the read error', async () => {
    const img = await image('bad.qcow2', 'preallocation=metadata,cluster_size=64k');
    const reftable = Number(img.meta.header.refcountTableOffset);
    const view = new DataView(img.bytes.buffer);
    view.setBigUint64(reftable, view.getBigUint64(reftable) + 512n);
    expect(detectMetadataPreallocation(img.meta, bytesSource(img.bytes), img.allocatedBytes)).toBe(false);
  });
});
