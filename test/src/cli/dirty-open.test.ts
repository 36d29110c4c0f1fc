/**
 * The CLI's engine commands repair a dirty lazy-refcount image on a read-write open, as QEMU does
 * (FEAT-1, LAZY-5), through crashcow's own repair.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuCheck, qemuImgOk, qemuIo, qemuRun, tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-dirty-open-');
afterAll(() => tmp.cleanup());

const dirtyBitSet = (path: string) => (readFileSync(path).readBigUInt64BE(72) & 1n) === 1n;

async function crashedLazyImage(name: string): Promise<string> {
  const path = tmp.path(name);
  await qemuImgOk(['create', '-f', 'qcow2', '-o', 'lazy_refcounts=on,cluster_size=4k', path, '8M']);
  // qemu-io killed mid-session leaves the image dirty with stale refcounts (LAZY-2, LAZY-7).
  await qemuRun('qemu-io', ['-f', 'qcow2', path, '-c', 'write -P 0x5c 0 256k', '-c', 'write -P 0x5d 1M 64k', '-c', 'sigraise 9']);
  return path;
}

describe('dirty image opened read-write by crashcow io', () => {
  it('is repaired: dirty bit cleared, qemu-img check clean, data intact', async () => {
    const path = await crashedLazyImage('dirty.qcow2');
    expect(dirtyBitSet(path)).toBe(true);
    expect((await qemuCheck(path)).exitCode).toBe(2);
    const r = await crashcow(['io', '-c', 'read -P 0x5c 0 256k', '-c', 'read -P 0x5d 1M 64k', '-c', 'write -P 0x5e 2M 4k', path]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(dirtyBitSet(path)).toBe(false);
    const check = await qemuCheck(path);
    expect(check.exitCode, check.stderr).toBe(0);
    const verify = await qemuRun('qemu-io', ['-f', 'qcow2', '-r', path, '-c', 'read -P 0x5c 0 256k', '-c', 'read -P 0x5e 2M 4k']);
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stdout).not.toMatch(/fail/i);
  });

  it('stays dirty when opened read-only', async () => {
    const path = await crashedLazyImage('dirty-ro.qcow2');
    const r = await crashcow(['io', '-r', '-c', 'read -P 0x5c 0 256k', path]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(dirtyBitSet(path)).toBe(true);
  });
});
