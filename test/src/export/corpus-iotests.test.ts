/**
 * The QEMU corpus as exported iotests (corpus/iotests/NAME/), damage cases included: each script runs with every QEMU
 * found (the system's, /usr/bin; every `npm run qemu:get` folder under .qemu/; CRASHCOW_QEMU_DIR)
 * and must fail exactly when the case records that it fails on that version. Each run has a PATH
 * of one folder of symlinks to bash, a few coreutils programs, bzip2, diff, sed, grep and awk, no
 * node: for one QEMU the folder also holds qemu-img and qemu-io, for the others they come from
 * $QEMU_IMG and $QEMU_IO. No run may print "command not found".
 */
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuDirOf } from '../../../src/engine/qemu/qemu-binaries.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const corpusDir = join(root, 'corpus');
const iotestsDir = join(corpusDir, 'iotests');
const work = mkdtempSync(join(tmpdir(), 'crashcow-iotests-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Programs the exported scripts may use, besides QEMU's. */
const TOOLS = ['bash', 'bzip2', 'diff', 'sed', 'grep', 'awk', 'env', 'cat', 'cut', 'dirname', 'mktemp', 'rm', 'sha256sum', 'ls', 'head', 'tail', 'tr', 'wc', 'dd', 'od', 'truncate'];

function toolFolder(name: string, qemuDir: string | null): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const tool of TOOLS) {
    const path = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find(existsSync);
    if (path === undefined) throw new Error(`${tool} not found in /usr/bin or /bin`);
    symlinkSync(path, join(dir, tool));
  }
  if (qemuDir !== null) for (const b of ['qemu-img', 'qemu-io']) symlinkSync(join(qemuDir, b), join(dir, b));
  return dir;
}

/** The QEMU folders to run with, each with its version key (x.y.z). */
function qemuFolders(): Array<{ dir: string; version: string }> {
  const dirs = ['/usr/bin', qemuDirOf(undefined)];
  const local = join(root, '.qemu');
  if (existsSync(local)) for (const v of readdirSync(local)) dirs.push(join(local, v, 'usr', 'bin'));
  const out: Array<{ dir: string; version: string }> = [];
  for (const dir of dirs) {
    if (dir === null || !existsSync(join(dir, 'qemu-io')) || out.some((o) => o.dir === dir)) continue;
    const line = execaSyncVersion(join(dir, 'qemu-io'));
    const version = /version (\d+\.\d+\.\d+)/.exec(line)?.[1];
    if (version !== undefined && !out.some((o) => o.version === version)) out.push({ dir, version });
  }
  return out;
}

function execaSyncVersion(bin: string): string {
  return spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
}

/** Every qemu-* case, damage cases included (their scripts damage the shipped clean image). */
const cases = readdirSync(corpusDir).filter((f) => f.startsWith('qemu-') && f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
const folders = qemuFolders();

describe('the exported QEMU corpus (corpus/iotests)', () => {
  it('has an exported test for every qemu-* case', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const name of cases) {
      for (const f of [name, `${name}.out`, `${name}.qcow2.bz2`]) expect(existsSync(join(iotestsDir, name, f)), `${name}/${f}`).toBe(true);
    }
  });

  it('links every exported test from corpus/README.md', () => {
    const readme = readFileSync(join(corpusDir, 'README.md'), 'utf8');
    for (const name of cases) expect(readme, name).toContain(`](iotests/${name}/${name})`);
  });

  if (folders.length === 0) it.skip('NO QEMU FOUND: the exported scripts were not run', () => undefined);
  folders.forEach(({ dir, version }, i) => {
    const onPath = i === 0;
    describe(`QEMU ${version} (${dir}, ${onPath ? 'on PATH' : 'through QEMU_IMG and QEMU_IO'})`, () => {
      const path = toolFolder(`tools-${version}`, onPath ? dir : null);
      for (const name of cases) {
        const recorded = (JSON.parse(readFileSync(join(corpusDir, `${name}.json`), 'utf8')).expectations ?? {})[version];
        if (recorded === undefined) {
          it.skip(`${name}: NO RECORD for ${version}, so there is nothing to compare the script with`, () => undefined);
          continue;
        }
        it(`${name}: the script fails exactly when the case records "fails" (${recorded})`, async () => {
          const env: Record<string, string> = { PATH: path, HOME: work };
          if (!onPath) Object.assign(env, { QEMU_IMG: join(dir, 'qemu-img'), QEMU_IO: join(dir, 'qemu-io') });
          const r = await execa(join(iotestsDir, name, name), [], { env, extendEnv: false, reject: false, all: true });
          expect(r.all).not.toContain('command not found');
          expect(r.all).toMatch(new RegExp(`^(PASS|FAIL): ${name}`, 'm'));
          expect(r.exitCode !== 0, r.all).toBe(recorded === 'fails');
        });
      }
    });
  });
});
