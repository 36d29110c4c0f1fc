/**
 * `crashcow check -r all` on a clean image changes no byte of it, and a second
 * `-r all` after a first changes nothing either (and lists no repair).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout, readU64, writeU64 } from '../check/damage.js';
import { baseCopy, crashedLazy, plain, snapshots, type BaseImage } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-idem-');
afterAll(() => tmp.cleanup());

const compressed: BaseImage = {
  key: 'compressed',
  make: async (p) => {
    await plain().make(`${p}.src`);
    await qemuImgOk(['convert', '-c', '-O', 'qcow2', `${p}.src`, p]);
    await qemuIo(p, ['write -P 9 2M 64k']);
  },
};

const clean: BaseImage[] = [plain(), plain('compat=0.10'), plain('cluster_size=4k,refcount_bits=64'), plain('refcount_bits=1'), plain('extended_l2=on'), plain('preallocation=metadata'), snapshots, compressed];

async function repairAll(p: string): Promise<{ exitCode: number; repairs: unknown[] }> {
  const run = await crashcow(['check', '-r', 'all', '--output', 'json', p]);
  return { exitCode: run.exitCode, repairs: JSON.parse(run.stdout).repairs };
}

describe.concurrent('crashcow check -r all changes nothing on a clean or already repaired image', () => {
  it.each(clean.map((b, i) => [b.key, b, i] as const))('changes no byte of a clean image: %s', async (_key, b, i) => {
    const p = tmp.path(`clean-${i}.qcow2`);
    await baseCopy(b, tmp.path, p);
    const before = readFileSync(p);
    const { exitCode, repairs } = await repairAll(p);
    expect(exitCode).toBe(0);
    expect(repairs).toEqual([]);
    expect(readFileSync(p).equals(before)).toBe(true);
  });

  const COPIED = 1n << 63n;
  const damaged: [string, BaseImage, (p: string, l: Layout) => void][] = [
    ['refcounts edited in place', plain(), (_p, l) => l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 1)), 0)],
    ['refcount structures rebuilt', plain(), (p, l) => writeU64(p, l.l2EntryOffset(0, 0), COPIED | BigInt(l.refblockOffset(0)))],
    ['aliased cluster copied', plain(), (p, l) => writeU64(p, l.l2EntryOffset(0, 16), readU64(p, l.l2EntryOffset(0, 0)))],
    ['snapshot dropped', snapshots, (p, l) => writeU64(p, Number(l.meta.header.snapshotsOffset), readU64(p, Number(l.meta.header.snapshotsOffset)) | 0x200n)],
    ['dirty image after a crash', crashedLazy, () => undefined],
  ];
  it.each(damaged.map(([name, b, d], i) => [name, b, d, i] as const))('a second -r all changes nothing: %s', async (_name, b, damage, i) => {
    const p = tmp.path(`twice-${i}.qcow2`);
    await baseCopy(b, tmp.path, p);
    damage(p, new Layout(p));
    const first = await repairAll(p);
    expect(first.exitCode).toBe(0);
    expect(first.repairs.length, 'the first repair did something').toBeGreaterThan(0);
    const after = readFileSync(p);
    const second = await repairAll(p);
    expect(second.exitCode).toBe(0);
    expect(second.repairs).toEqual([]);
    expect(readFileSync(p).equals(after)).toBe(true);
  });
});
