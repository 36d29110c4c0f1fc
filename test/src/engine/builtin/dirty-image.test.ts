/**
 * Lazy refcounts and the dirty bit (FEAT-1, FEAT-7, LAZY-2..LAZY-5): a session leaves the bit set
 * until close; a crashed (unclosed) image is dirty, repairable by `qemu-img check -r all`, readable
 * read-only; a read-write open needs the injected repair hook (crashcow's is dirtyOpenRepair, wired
 * in here by the test: the engine itself never imports src/check) and fails without it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { incompatibleBits } from '../../../../spec/format/feature-bits.js';
import { checkImage } from '../../../../src/check/check-image.js';
import { dirtyOpenRepair } from '../../../../src/repair/repair-hook.js';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import type { BlockDevice } from '../../../../src/storage/block-device.js';
import { qemuImg, qemuInfo, qemuIo, tempDir } from '../../../helpers/qemu.js';

const t = tempDir('crashcow-dirty-');
afterAll(() => t.cleanup());
const engine = new BuiltinEngine();

/** A lazy-refcounts image with data written and flushed but never closed (a crash). */
async function crashedImage(): Promise<MemoryDevice> {
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: 4 << 20, lazyRefcounts: true });
  const image = await engine.open({ device }, { cacheMode: 'writeback' });
  await image.write(0, new Uint8Array(200000).fill(7));
  await image.flush();
  return device; // not closed
}

const dirtyBit = (d: BlockDevice) => {
  const b = d.read(72, 8);
  return (new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0) & incompatibleBits.dirty) !== 0n;
};

describe('dirty bit', () => {
  it('is set during a session and cleared by close', async () => {
    const device = new MemoryDevice();
    await engine.create({ device }, { virtualSizeBytes: 4 << 20, lazyRefcounts: true });
    const image = await engine.open({ device });
    expect(dirtyBit(device)).toBe(false);
    await image.write(0, new Uint8Array(4096).fill(1));
    expect(dirtyBit(device)).toBe(true);
    await image.close();
    expect(dirtyBit(device)).toBe(false);
  });

  it('leaves a crashed image dirty but repairable by qemu-img check -r all, data intact', async () => {
    const device = await crashedImage();
    writeFileSync(t.path('crashed.qcow2'), device.read(0, device.sizeBytes));
    expect((await qemuInfo(t.path('crashed.qcow2')))['dirty-flag']).toBe(true);
    const repaired = await qemuImg(['check', '-r', 'all', t.path('crashed.qcow2')]);
    expect(repaired.exitCode, repaired.stdout + repaired.stderr).toBe(0);
    await qemuIo(t.path('crashed.qcow2'), ['read -P 7 0 200000', 'read -P 0 200000 4096']);
  });

  it('opens read-only without repair (LAZY-5)', async () => {
    const device = await crashedImage();
    const image = await engine.open({ device }, { readOnly: true });
    expect((await image.read(0, 200000)).every((b) => b === 7)).toBe(true);
    await image.close();
    expect(dirtyBit(device)).toBe(true);
  });

  it('refuses a read-write open without a repair hook, naming FEAT-1/LAZY-5', async () => {
    const device = await crashedImage();
    const err = await engine.open({ device }).catch((e: unknown) => e);
    expect(isEngineError(err) && err.errno === 'EDIRTY').toBe(true);
    expect((err as Error).message).toMatch(/FEAT-1\/LAZY-5/);
  });

  it('runs the injected repair hook before a read-write open', async () => {
    const device = await crashedImage();
    const seen: string[][] = [];
    const repair = async (d: BlockDevice, opts: { mutants: readonly string[] }) => {
      seen.push([...opts.mutants]);
      // Any repair will do for the hook: qemu-img rebuilds the refcounts.
      writeFileSync(t.path('hook.qcow2'), d.read(0, d.sizeBytes));
      await qemuImg(['check', '-q', '-r', 'all', t.path('hook.qcow2')]);
      const fixed = readFileSync(t.path('hook.qcow2'));
      d.truncate(0);
      d.write(0, new Uint8Array(fixed));
    };
    const image = await engine.open({ device }, { repair, mutants: ['repair-naive-increment'] });
    await image.write(300000, new Uint8Array(4096).fill(9));
    expect((await image.read(0, 200000)).every((b) => b === 7)).toBe(true);
    await image.close();
    expect(seen).toEqual([['repair-naive-increment']]);
    expect(dirtyBit(device)).toBe(false);
  });

  it("opens read-write through crashcow's dirtyOpenRepair: dirty bit cleared, qemu-img check clean, data intact", async () => {
    const device = await crashedImage();
    expect(dirtyBit(device)).toBe(true);
    const image = await engine.open({ device }, { repair: dirtyOpenRepair(checkImage) });
    expect(dirtyBit(device), 'the repair cleared it before the open').toBe(false);
    expect((await image.read(0, 200000)).every((b) => b === 7)).toBe(true);
    await image.close();
    expect(dirtyBit(device)).toBe(false);
    writeFileSync(t.path('crashcow-repaired.qcow2'), device.read(0, device.sizeBytes));
    const checked = await qemuImg(['check', t.path('crashcow-repaired.qcow2')]);
    expect(checked.exitCode, checked.stdout + checked.stderr).toBe(0);
    await qemuIo(t.path('crashcow-repaired.qcow2'), ['read -P 7 0 200000', 'read -P 0 200000 4096']);
  });

  it('openSync needs a synchronous repair hook, and runs one', async () => {
    const device = await crashedImage();
    const asyncHook = async () => {};
    expect(() => engine.openSync({ device }, { repair: asyncHook })).toThrow(/synchronous repair hook/);
    const image = engine.openSync({ device }, { readOnly: true });
    expect(image.read(0, 16).every((b) => b === 7)).toBe(true);
    image.close();
  });
});
