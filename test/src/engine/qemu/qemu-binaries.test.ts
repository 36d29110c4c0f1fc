/**
 * Choosing the QEMU: a folder's qemu-img and qemu-io are found and run (every spawn of the engine
 * goes through them), and a folder that cannot serve is refused with its path named. Real binaries:
 * the system's, and wrappers in a temp folder that log each call and then run the system's.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuDirOf, resolveQemuBinaries } from '../../../../src/engine/qemu/qemu-binaries.js';
import { QemuEngine } from '../../../../src/engine/qemu/qemu-engine.js';
import { isQemuMissingError } from '../../../../src/engine/qemu/qemu-missing-error.js';
import { pathQemuDir, tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-qemu-dir-');
afterAll(tmp.cleanup);

/** A folder whose qemu-img and qemu-io are `body` (a shell script), mode `mode`. */
function folder(name: string, body: (bin: string) => string, mode = 0o755): string {
  const dir = tmp.path(name);
  mkdirSync(dir);
  for (const bin of ['qemu-img', 'qemu-io']) {
    writeFileSync(join(dir, bin), `#!/bin/sh\n${body(bin)}\n`);
    chmodSync(join(dir, bin), mode);
  }
  return dir;
}

async function refusal(dir: string | null): Promise<string> {
  try {
    await resolveQemuBinaries(dir);
  } catch (err) {
    expect(isQemuMissingError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`${dir} was accepted`);
}

describe('QEMU binaries', () => {
  it('finds qemu-img and qemu-io in a folder and reads the version line', async () => {
    const dir = pathQemuDir();
    const b = await resolveQemuBinaries(dir);
    expect(b).toMatchObject({ dir, img: join(dir, 'qemu-img'), io: join(dir, 'qemu-io') });
    expect(b.versionLine).toMatch(/^qemu-io version \d+\.\d+\.\d+/);
    const onPath = await resolveQemuBinaries(null);
    expect(onPath).toMatchObject({ dir: null, img: 'qemu-img', io: 'qemu-io', versionLine: b.versionLine });
  });

  it('refuses a folder that cannot serve, naming the path', async () => {
    const empty = tmp.path('empty');
    mkdirSync(empty);
    expect(await refusal(empty)).toMatch(new RegExp(`^${join(empty, 'qemu-img')} not found: .*--qemu DIR`));
    expect(await refusal(tmp.path('no-such-folder'))).toContain(`${tmp.path('no-such-folder')} does not exist`);
    writeFileSync(tmp.path('a-file'), '');
    expect(await refusal(tmp.path('a-file'))).toContain(`${tmp.path('a-file')} is not a folder`);
    const plain = folder('not-executable', () => 'exit 0', 0o644);
    expect(await refusal(plain)).toContain(`${join(plain, 'qemu-img')} is not executable`);
    const failing = folder('failing', () => 'echo broken >&2; exit 1');
    expect(await refusal(failing)).toContain(`${join(failing, 'qemu-io')} --version failed (exit 1: broken)`);
    const silent = folder('silent', () => 'exit 0');
    expect(await refusal(silent)).toContain('--version printed no QEMU version line');
  });

  it('takes --qemu over CRASHCOW_QEMU_DIR, and PATH without either', () => {
    expect(qemuDirOf('/a', { CRASHCOW_QEMU_DIR: '/b' })).toBe('/a');
    expect(qemuDirOf(undefined, { CRASHCOW_QEMU_DIR: '/b' })).toBe('/b');
    expect(qemuDirOf(undefined, { CRASHCOW_QEMU_DIR: '' })).toBeNull();
    expect(qemuDirOf(undefined, {})).toBeNull();
  });

  it('runs every qemu-img and qemu-io of the engine from the chosen folder', async () => {
    const real = pathQemuDir();
    const log = tmp.path('calls.log');
    const dir = folder('wrapped', (bin) => `echo "${bin} $*" >> '${log}'; exec '${join(real, bin)}' "$@"`);
    const engine = await QemuEngine.create(await resolveQemuBinaries(dir));
    const image = tmp.path('w.qcow2');
    await engine.create({ path: image }, { virtualSizeBytes: 1 << 20 });
    const opened = await engine.open({ path: image });
    await opened.write(0, new Uint8Array(512).fill(7));
    await opened.close();
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(calls).toContain('qemu-io --version');
    expect(calls.some((c) => c.startsWith('qemu-img create'))).toBe(true);
    expect(calls.some((c) => c.startsWith('qemu-img info'))).toBe(true);
    expect(calls, 'the interactive qemu-io started from the folder').toContain('qemu-io ');
  });
});
