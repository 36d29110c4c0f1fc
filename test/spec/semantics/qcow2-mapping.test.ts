/**
 * The mapping walk's costs: whole L2 tables come from a bounded cache, and a sparse terabyte image
 * is mapped by reading its L1 table and the few L2 tables that exist, not cluster by cluster.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource, type ByteSource } from '../../../spec/format/byte-source.js';
import { readImageMeta } from '../../../spec/format/image-meta.js';
import { L2TableCache } from '../../../spec/semantics/l2-table-cache.js';
import { mapExtents } from '../../../spec/semantics/map-extents.js';
import { Qcow2Layer } from '../../../spec/semantics/qcow2-layer.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-mapping-');
afterAll(() => tmp.cleanup());

/** A ByteSource that counts reads and bytes. */
function counting(bytes: Uint8Array): ByteSource & { reads: number; bytesRead: number } {
  const inner = bytesSource(bytes);
  const source = {
    reads: 0,
    bytesRead: 0,
    sizeBytes: inner.sizeBytes,
    read(offsetBytes: number, lengthBytes: number): Uint8Array {
      source.reads++;
      source.bytesRead += lengthBytes;
      return inner.read(offsetBytes, lengthBytes);
    },
  };
  return source;
}

describe('L2TableCache', () => {
  it('keeps at most budget / table size tables, evicting the least recently used', () => {
    const source = counting(new Uint8Array(64 * 4096));
    const cache = new L2TableCache(source, 4096, 3 * 4096);
    for (const offset of [4096, 8192, 12288, 4096, 16384]) cache.get(offset);
    expect(cache.sizeTables).toBe(3);
    expect(source.reads).toBe(4); // the second get(4096) was a hit
    cache.get(8192); // evicted by 16384 (4096 was used more recently)
    expect(source.reads).toBe(5);
    cache.get(4096);
    expect(source.reads).toBe(5);
  });
});

describe('a sparse 1 TiB image', () => {
  it('maps with a handful of reads: absent L2 tables are skipped whole', async () => {
    const path = tmp.path('tera.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '1T']);
    await qemuIo(path, ['write -P 1 0 64k', 'write -P 2 512G 4k', 'write -P 3 1099511562240 65536']);
    const source = counting(new Uint8Array(readFileSync(path)));
    const layer = new Qcow2Layer({ name: 'tera', meta: readImageMeta(source), file: { name: 'tera', source, holeGranularityBytes: 4096 } });
    const extents = [...mapExtents(layer)];
    expect(extents.map((e) => [e.start, e.data])).toEqual([
      [0, true],
      [65536, false],
      [512 * 2 ** 30, true],
      [512 * 2 ** 30 + 65536, false],
      [2 ** 40 - 65536, true],
    ]);
    expect(extents.reduce((n, e) => n + e.length, 0)).toBe(2 ** 40);
    expect(source.reads).toBeLessThan(10);
    expect(source.bytesRead).toBeLessThan(512 * 1024);
  });
});
