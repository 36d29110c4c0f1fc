/** `crashcow snapshot` against `qemu-img snapshot`: each reads the snapshots the other made. */
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { qemuCheck, qemuImg, qemuImgOk, qemuIo, tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-snapshot-');
afterAll(() => tmp.cleanup());

/** The TAG column of a `snapshot -l` listing. */
function tags(listing: string): string[] {
  return listing.split('\n').slice(2).filter(Boolean).map((line) => line.split(/\s+/)[1]);
}

describe('crashcow snapshot', () => {
  it('creates and deletes snapshots that qemu-img lists, and lists the ones qemu-img made, in its format', async () => {
    // Arrange
    const path = tmp.path('both.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', path, '1M']);
    await qemuImgOk(['snapshot', '-c', 'by-qemu', path]);
    // Act
    const created = await crashcow(['snapshot', '-c', 'by-crashcow', path]);
    const listed = await crashcow(['snapshot', '-l', path]);
    // Assert
    expect(created.exitCode).toBe(0);
    expect(tags(await qemuImgOk(['snapshot', '-l', path]))).toEqual(['by-qemu', 'by-crashcow']);
    expect(tags(listed.stdout)).toEqual(['by-qemu', 'by-crashcow']);
    expect(listed.stdout.split('\n').slice(0, 2)).toEqual((await qemuImgOk(['snapshot', '-l', path])).split('\n').slice(0, 2));
    expect((await crashcow(['snapshot', '-d', 'by-qemu', path])).exitCode).toBe(0);
    expect(tags(await qemuImgOk(['snapshot', '-l', path]))).toEqual(['by-crashcow']);
    expect((await qemuCheck(path)).exitCode).toBe(0);
  });

  it('applies a snapshot: the guest reads what it held', async () => {
    const path = tmp.path('apply.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', path, '1M']);
    await qemuIo(path, ['write -P 1 0 8k']);
    expect((await crashcow(['snapshot', '-c', 'before', path])).exitCode).toBe(0);
    await qemuIo(path, ['write -P 2 0 8k']);
    expect((await crashcow(['snapshot', '-a', 'before', path])).exitCode).toBe(0);
    await qemuIo(path, ['read -P 1 0 8k']);
    expect((await qemuCheck(path)).exitCode).toBe(0);
  });

  it('fails on an unknown snapshot with qemu-img\'s message and exit 1', async () => {
    const path = tmp.path('missing.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '1M']);
    const r = await crashcow(['snapshot', '-d', 'nope', path]);
    const q = await qemuImg(['snapshot', '-d', 'nope', path]);
    expect([r.exitCode, q.exitCode]).toEqual([1, 1]);
    expect(r.stderr.replace('crashcow snapshot:', '').trim()).toBe(q.stderr.replace('qemu-img:', '').trim());
  });

  it('takes one action at a time', async () => {
    const path = tmp.path('usage.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '1M']);
    expect((await crashcow(['snapshot', '-c', 'a', '-d', 'b', path])).exitCode).toBe(2);
  });
});
