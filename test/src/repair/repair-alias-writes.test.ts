/**
 * REP-4: after a repair, a later write through one of two aliases must not
 * change what the other reads. qemu-img check -r all resolves an alias by raising the refcount to 2;
 * when the other owner is the refcount table, QEMU keeps updating that table in place, so a guest
 * write anywhere else silently changes the aliased guest cluster, while qemu-img check reports no
 * errors. crashcow moves the refcount structures (or copies the data) instead.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuCheck, qemuImg, qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout, readU64, writeU64 } from '../check/damage.js';

const tmp = tempDir('crashcow-repair-alias-');
afterAll(() => tmp.cleanup());
const COPIED = 1n << 63n;

async function guestCluster(p: string, index: number, clusterSizeBytes: number): Promise<Buffer> {
  const raw = `${p}.raw`;
  await qemuImgOk(['convert', '-O', 'raw', p, raw]);
  return readFileSync(raw).subarray(index * clusterSizeBytes, (index + 1) * clusterSizeBytes);
}

describe.concurrent('writes after a repair of aliased clusters change only what their own owner reads', () => {
  it('guest data aliasing the refcount table: stable after crashcow -r all; qemu-img -r all lets a later write change it', async () => {
    const p = tmp.path('reftable.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=512', p, '1M']);
    await qemuIo(p, ['write -P 1 0 4k']);
    const l = new Layout(p);
    writeU64(p, l.l2EntryOffset(0, 2), COPIED | l.meta.header.refcountTableOffset);
    const before = await guestCluster(p, 2, 512);
    const viaQemu = tmp.path('reftable.qemu.qcow2');
    copyFileSync(p, viaQemu);

    expect((await crashcow(['check', '-r', 'all', p])).exitCode).toBe(0);
    expect((await qemuImg(['check', '-r', 'all', viaQemu])).exitCode).toBe(0);
    for (const image of [p, viaQemu]) await qemuIo(image, ['write -P 7 512k 256k']);

    expect((await guestCluster(p, 2, 512)).equals(before), 'crashcow: the aliased guest cluster still reads what it read').toBe(true);
    expect((await guestCluster(viaQemu, 2, 512)).equals(before), "qemu-img: the refcount table grew in place under the guest's data").toBe(false);
    expect((await qemuCheck(viaQemu)).exitCode, 'and qemu-img check does not notice').toBe(0);
    expect((await qemuCheck(p)).exitCode).toBe(0);
  });

  it('two active L2 entries on one data cluster: after crashcow -r all, writing one leaves the other alone', async () => {
    const p = tmp.path('data.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', p, '4M']);
    await qemuIo(p, ['write -P 1 0 64k']);
    const l = new Layout(p);
    writeU64(p, l.l2EntryOffset(0, 16), readU64(p, l.l2EntryOffset(0, 0)));
    const run = await crashcow(['check', '-r', 'all', '--output', 'json', p]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout).repairs.map((r: { action: string }) => r.action)).toContain('cluster-copied');
    await qemuIo(p, ['write -P 9 1M 64k']);
    expect((await guestCluster(p, 0, 65536)).every((b) => b === 1), 'guest cluster 0 keeps its bytes').toBe(true);
    expect((await guestCluster(p, 16, 65536)).every((b) => b === 9)).toBe(true);
  });
});
