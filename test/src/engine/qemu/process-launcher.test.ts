/**
 * ProcessLauncher runs real commands from one long-lived shell: arguments reach the command
 * verbatim, stdout, stderr and the exit code come back apart, the working directory holds, files
 * stop at QEMU_FILE_SIZE_MAX_BYTES with EFBIG on any file system, and an idle launcher does not
 * keep Node alive. qemuTempDir follows $TMPDIR when set and shared memory otherwise.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuTempDir, SHARED_MEMORY_DIR } from '../../../../src/engine/qemu/qemu-engine.js';
import { ProcessLauncher, QEMU_FILE_SIZE_MAX_BYTES, shellQuote } from '../../../../src/engine/qemu/process-launcher.js';

const dir = mkdtempSync(join(tmpdir(), 'crashcow-launcher-'));
const launcher = new ProcessLauncher();
afterAll(() => {
  launcher.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ProcessLauncher', () => {
  it('passes every argument verbatim and keeps stdout, stderr and the exit code apart', async () => {
    const tricky = [`it's`, 'a "b" $HOME `x` \\n', '; exit 3', ''];
    const r = await launcher.run('sh', ['-c', 'for a in "$@"; do printf "[%s]" "$a"; done; echo oops >&2; exit 5', 'sh', ...tricky]);
    expect(r).toEqual({ exitCode: 5, stdout: tricky.map((a) => `[${a}]`).join(''), stderr: 'oops\n' });
  });

  it('runs commands one at a time in call order, each in its own directory', async () => {
    const results = await Promise.all([launcher.run('pwd', [], dir), launcher.run('sh', ['-c', 'sleep 0.05; echo slow']), launcher.run('echo', ['fast'])]);
    expect(results.map((r) => r.stdout)).toEqual([`${dir}\n`, 'slow\n', 'fast\n']);
  });

  it('reports a missing command with sh exit code 127', async () => {
    const r = await launcher.run('crashcow-no-such-binary', []);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/not found/);
  });

  it('stops a file at the size limit with EFBIG, wherever the file lives', async () => {
    const beyond = QEMU_FILE_SIZE_MAX_BYTES / (1 << 20) + 1;
    const r = await launcher.run('dd', ['if=/dev/zero', 'of=big', 'bs=1M', `seek=${beyond}`, 'count=1'], dir);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/File too large/);
    expect(existsSync(join(dir, 'big')) ? statSync(join(dir, 'big')).size : 0).toBeLessThanOrEqual(QEMU_FILE_SIZE_MAX_BYTES);
  });

  it('lets the process exit while the shell is idle', async () => {
    const built = fileURLToPath(new URL('../../../../dist/src/engine/qemu/process-launcher.js', import.meta.url));
    const script = `import { ProcessLauncher } from ${JSON.stringify(built)}; const r = await new ProcessLauncher().run('echo', ['done']); process.stdout.write(r.stdout);`;
    const child = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, timeout: 20_000 });
    expect(child.timedOut).toBe(false);
    expect(child.stdout).toBe('done');
  });

  it('quotes a word for sh so that nothing in it is interpreted', () => {
    expect(shellQuote(`a'b`)).toBe(`'a'\\''b'`);
  });
});

describe('qemuTempDir', () => {
  it('uses $TMPDIR when the user set it, else shared memory where there is one', () => {
    const set = qemuTempDir({ TMPDIR: dir });
    const unset = qemuTempDir({});
    try {
      expect(dirname(set)).toBe(dir);
      expect(dirname(unset)).toBe(existsSync(SHARED_MEMORY_DIR) ? SHARED_MEMORY_DIR : tmpdir());
    } finally {
      rmSync(set, { recursive: true, force: true });
      rmSync(unset, { recursive: true, force: true });
    }
  });
});
