/**
 * Metadata growth and cache pressure on the built-in engine, judged by real qemu-img: refcount table
 * growth (ORD-7) and L1 growth (ORD-6) on 512-byte clusters, and a seeded workload with two-table
 * caches (every access evicts) that must leave the same guest data and a clean image.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import type { BuiltinImage } from '../../../../src/engine/builtin/builtin-image.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { Prng } from '../../../../src/storage/prng.js';
import { counter, qemuCheck, qemuImgOk, qemuIo, tempDir } from '../../../helpers/qemu.js';

const t = tempDir('crashcow-growth-');
afterAll(() => t.cleanup());

async function expectClean(path: string): Promise<void> {
  const c = await qemuCheck(path);
  expect({ exit: c.exitCode, leaks: counter(c.json, 'leaks'), corruptions: counter(c.json, 'corruptions') }, c.stderr).toEqual({ exit: 0, leaks: 0, corruptions: 0 });
}

describe('metadata growth', () => {
  it('grows the refcount table and L1 on 512-byte clusters and stays clean (ORD-6, ORD-7)', async () => {
    const path = t.path('grow.qcow2');
    const engine = new BuiltinEngine();
    await engine.create({ path }, { virtualSizeBytes: 16 << 20, clusterSizeBytes: 512, refcountBits: 64 });
    const image = (await engine.open({ path }, { cacheMode: 'writeback' })) as BuiltinImage;
    const reftableBefore = image.sync.state.reftable.offsetBytes;
    for (let i = 0; i < 48; i++) await image.write(i * 327680, new Uint8Array(65536).fill(i + 1));
    await image.resize(64 << 20);
    await image.write((64 << 20) - 4096, new Uint8Array(4096).fill(0xee));
    const { reftable, l1 } = image.sync.state;
    await image.close();
    expect(reftable.offsetBytes).not.toBe(reftableBefore);
    expect(reftable.clusterCount).toBeGreaterThan(1);
    expect(l1.entryCount).toBe(2048);
    await expectClean(path);
    await qemuIo(path, ['read -P 1 0 64k', 'read -P 48 15400960 64k', 'read -P 0 65536 4k', 'read -P 0xee 67104768 4k']);
  });
});

describe('cache pressure', () => {
  it('gives the same data and a clean image with two-table caches as with default caches', async () => {
    const run = async (engine: BuiltinEngine) => {
      const device = new MemoryDevice();
      await engine.create({ device }, { virtualSizeBytes: 64 << 20, clusterSizeBytes: 4096, refcountBits: 8 });
      const image = (await engine.open({ device }, { cacheMode: 'writeback' })) as BuiltinImage;
      const prng = new Prng(42);
      for (let i = 0; i < 600; i++) {
        const off = prng.nextU32() % ((64 << 20) - 10000);
        const kind = prng.nextU32() % 10;
        if (kind < 7) await image.write(off, new Uint8Array(1 + (prng.nextU32() % 9000)).fill(1 + (i % 250)));
        else if (kind < 9) await image.discard(off, 1 + (prng.nextU32() % 20000));
        else if (i % 3 === 0) await image.snapshotCreate(`s${i}`);
        else await image.flush();
      }
      const data = await image.read(0, 64 << 20);
      await image.close();
      return { data, bytes: device.read(0, device.sizeBytes) };
    };
    const small = await run(new BuiltinEngine({ l2CacheTables: 2, refblockCacheTables: 2 }));
    const big = await run(new BuiltinEngine());
    expect(Buffer.compare(Buffer.from(small.data), Buffer.from(big.data))).toBe(0);
    writeFileSync(t.path('small-cache.qcow2'), small.bytes);
    await expectClean(t.path('small-cache.qcow2'));
    await qemuImgOk(['convert', '-O', 'raw', t.path('small-cache.qcow2'), t.path('small-cache.raw')]);
    expect(Buffer.compare(readFileSync(t.path('small-cache.raw')), Buffer.from(small.data))).toBe(0);
  });

  it('leaves no dirty table in writethrough mode after a request', async () => {
    const device = new MemoryDevice();
    const engine = new BuiltinEngine();
    await engine.create({ device }, { virtualSizeBytes: 8 << 20 });
    const image = (await engine.open({ device }, { cacheMode: 'writethrough' })) as BuiltinImage;
    await image.write(12345, new Uint8Array(100000).fill(3));
    await image.discard(0, 1 << 20);
    expect(image.sync.state.l2Cache.hasDirty || image.sync.state.refblockCache.hasDirty).toBe(false);
    await image.close();
  });
});
