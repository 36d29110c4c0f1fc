/**
 * The QEMU driver against real qemu-io and qemu-img (never a mock): guest I/O round trips, errors
 * become EngineErrors, snapshots and resize go through qemu-img, and over blklogwrites every write
 * and flush of the image file is read back from the log.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import { QemuEngine, qemuTempDir } from '../../../../src/engine/qemu/qemu-engine.js';
import { LogReader } from '../../../../src/fuzz/target/log-reader.js';
import { qemuCheck } from '../../../helpers/qemu.js';

const dir = qemuTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('QemuEngine', () => {
  it('names its version and round-trips guest data through qemu-io', async () => {
    const engine = await QemuEngine.create();
    expect(engine.engineVersion).toMatch(/^qemu-io \d+\.\d+\.\d+/);
    const path = join(dir, 'a.qcow2');
    await engine.create({ path }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096 });
    const image = await engine.open({ path }, { cacheMode: 'writeback' });
    const data = pattern(5000, 3);
    await image.write(700, data);
    await image.writeZeroes(0, 512);
    await image.flush();
    expect(await image.read(700, 5000)).toEqual(data);
    expect(await image.read(0, 512)).toEqual(new Uint8Array(512));
    await image.close();
    expect((await qemuCheck(path)).exitCode).toBe(0);
  });

  it('reports a failed request as an EngineError with its errno', async () => {
    const engine = await QemuEngine.create();
    const path = join(dir, 'b.qcow2');
    await engine.create({ path }, { virtualSizeBytes: 1 << 20 });
    const image = await engine.open({ path });
    const err = await image.write((1 << 20) - 10, pattern(20, 1)).catch((e: unknown) => e);
    expect(isEngineError(err) && err.errno).toBe('EIO');
    await image.close();
  });

  it('creates, lists, applies and deletes snapshots and resizes through qemu-img', async () => {
    const engine = await QemuEngine.create();
    const path = join(dir, 'c.qcow2');
    await engine.create({ path }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096 });
    const image = await engine.open({ path });
    await image.write(0, pattern(4096, 1));
    await image.snapshotCreate('s1');
    await image.write(0, pattern(4096, 2));
    expect((await image.snapshotList()).map((s) => s.name)).toEqual(['s1']);
    await image.snapshotApply('s1');
    expect(await image.read(0, 4096)).toEqual(pattern(4096, 1));
    await image.snapshotDelete('s1');
    expect(await image.snapshotList()).toEqual([]);
    await image.resize(2 << 20);
    expect(image.virtualSizeBytes).toBe(2 << 20);
    await image.close();
    expect((await qemuCheck(path)).exitCode).toBe(0);
  });

  it('logs every write and flush of the image file through blklogwrites', async () => {
    const engine = await QemuEngine.create();
    await engine.create({ path: join(dir, 'd.qcow2') }, { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096 });
    writeFileSync(join(dir, 'd.log'), new Uint8Array(0));
    const before = readFileSync(join(dir, 'd.qcow2'));
    const { image, io } = await engine.openSpec({ imagePath: 'd.qcow2', logPath: 'd.log', cacheMode: 'writeback' }, 1 << 20, dir);
    const reader = new LogReader(join(dir, 'd.log'), before.length);
    await image.write(8192, pattern(4096, 9));
    reader.sync();
    const writes = reader.ops.filter((o) => o.kind === 'write');
    expect(writes.some((o) => o.data!.length >= 4096 && Buffer.from(o.data!).includes(Buffer.from(pattern(4096, 9))))).toBe(true);
    const count = reader.ops.length;
    await image.flush();
    reader.sync();
    expect(reader.ops.length).toBeGreaterThan(count);
    expect(reader.ops[reader.ops.length - 1].kind).toBe('flush');
    await image.close();
    await io.quit();
  });
});
