/**
 * Real qemu-img / qemu-io for tests (never a mock). Images are made at test time in a temp dir.
 * CRASHCOW_QEMU_DIR chooses the folder holding them, as it does for crashcow itself (so a test run
 * can judge another QEMU build); without it they are found on PATH. `qemuTools(dir)` gives the same
 * calls for one given build, for tests that run on each build the machine has (./qemu-builds.ts).
 * If the binaries are missing the first call fails loudly with what to install.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { qemuDirOf } from '../../src/engine/qemu/qemu-binaries.js';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

type QemuToolName = 'qemu-img' | 'qemu-io';

/** The command that runs `name` from `dir` (null: the bare name, found on PATH); default CRASHCOW_QEMU_DIR, else PATH. */
export function qemuBinary(name: QemuToolName, dir: string | null = qemuDirOf(undefined)): string {
  return dir === null ? name : join(dir, name);
}

/**
 * Runs a QEMU tool; never throws on a non-zero exit or a signal (exit code -1 then, as for a
 * process that qemu-io's `sigraise 9` killed).
 * @throws when the binary cannot be started (with what to install when it is missing)
 */
async function run(bin: string, args: string[], opts: { cwd?: string; input?: string } = {}): Promise<RunResult> {
  try {
    const r = await execa(bin, args, { reject: false, cwd: opts.cwd, input: opts.input, encoding: 'utf8', stripFinalNewline: false, maxBuffer: 1e9 });
    if (r.failed && r.exitCode === undefined && r.signal === undefined) throw r;
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      throw new Error(`${bin} not found: install qemu-utils (apt-get install qemu-utils) or run npm test, which installs it as root`);
    }
    throw err;
  }
}

/** qemu-img and qemu-io of one QEMU build, for tests that run on each build the machine has. */
export interface QemuTools {
  /** The folder holding them, or null for PATH. */
  dir: string | null;
  /** Runs `name` with args as given; never throws on a non-zero exit or a signal. */
  run(name: QemuToolName, args: string[], opts?: { cwd?: string; input?: string }): Promise<RunResult>;
  /** Runs qemu-img with args; never throws on a non-zero exit. */
  img(args: string[], cwd?: string): Promise<RunResult>;
  /** Runs qemu-img and throws (with stderr) unless it exits 0. */
  imgOk(args: string[], cwd?: string): Promise<string>;
  /**
   * Runs qemu-io with `-c` commands on an image (`-f qcow2` unless `imageOpts`). Throws when
   * qemu-io fails or prints an error line, since qemu-io exits 0 even when a command fails.
   */
  io(image: string, commands: string[], opts?: { imageOpts?: boolean; format?: string; cwd?: string }): Promise<string>;
  /** qemu-img check --output=json, parsed ({} when the output is no JSON). */
  check(image: string, extra?: string[]): Promise<QemuCheck>;
}

/** The tools of the build in `dir` (null: PATH); default CRASHCOW_QEMU_DIR, else PATH. */
export function qemuTools(dir: string | null = qemuDirOf(undefined)): QemuTools {
  const tools: QemuTools = {
    dir,
    run: (name, args, opts) => run(qemuBinary(name, dir), args, opts),
    img: (args, cwd) => tools.run('qemu-img', args, { cwd }),
    async imgOk(args, cwd) {
      const r = await tools.img(args, cwd);
      if (r.exitCode !== 0) throw new Error(`qemu-img ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
      return r.stdout;
    },
    async io(image, commands, opts = {}) {
      const args = opts.imageOpts ? ['--image-opts', image] : ['-f', opts.format ?? 'qcow2', image];
      for (const c of commands) args.push('-c', c);
      const r = await tools.run('qemu-io', args, { cwd: opts.cwd });
      const failed = r.exitCode !== 0 || /(failed|error|Error)/.test(r.stdout + r.stderr);
      if (failed) throw new Error(`qemu-io ${args.join(' ')} failed (${r.exitCode}): ${r.stdout}${r.stderr}`);
      return r.stdout;
    },
    async check(image, extra = []) {
      const r = await tools.img(['check', '--output=json', ...extra, image]);
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(r.stdout) as Record<string, unknown>;
      } catch {
        json = {};
      }
      return { exitCode: r.exitCode, json, stderr: r.stderr };
    },
  };
  return tools;
}

/** Runs qemu-img (CRASHCOW_QEMU_DIR, else PATH) with args; never throws on a non-zero exit. */
export function qemuImg(args: string[], cwd?: string): Promise<RunResult> {
  return qemuTools().img(args, cwd);
}

/** Runs qemu-img and throws (with stderr) unless it exits 0. */
export function qemuImgOk(args: string[], cwd?: string): Promise<string> {
  return qemuTools().imgOk(args, cwd);
}

/**
 * qemu-img create for an image with LUKS encryption. QEMU sizes the key's PBKDF2 iteration count by
 * timing a trial pass with the thread's CPU clock; on a loaded machine that clock can read no time at
 * all and the create fails with "Unable to get accurate CPU usage" (seen in CI about once in 40 under
 * load). That is a property of the machine, not of the image, so the create is tried again.
 */
export async function qemuImgCreateEncrypted(args: string[], attempts = 6): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    const r = await qemuImg(['create', ...args]);
    if (r.exitCode === 0) return r.stdout;
    const calibration = /Unable to get accurate CPU usage/.test(r.stderr);
    if (!calibration || attempt >= attempts) {
      throw new Error(`qemu-img create ${args.join(' ')} failed (${r.exitCode}) on attempt ${attempt}: ${r.stderr}`);
    }
  }
}

/** qemu-io (CRASHCOW_QEMU_DIR, else PATH) with `-c` commands; throws as QemuTools.io does. */
export function qemuIo(image: string, commands: string[], opts: { imageOpts?: boolean; format?: string; cwd?: string } = {}): Promise<string> {
  return qemuTools().io(image, commands, opts);
}

/** Runs qemu-img or qemu-io (CRASHCOW_QEMU_DIR, else PATH) as given; never throws on a non-zero exit or a signal. */
export function qemuRun(name: QemuToolName, args: string[], opts: { cwd?: string; input?: string } = {}): Promise<RunResult> {
  return qemuTools().run(name, args, opts);
}

/** qemu-img check --output=json parsed, with absent counters defaulted to 0 (JSON omits zeros). */
export interface QemuCheck {
  exitCode: number;
  json: Record<string, unknown>;
  stderr: string;
}

export function qemuCheck(image: string, extra: string[] = []): Promise<QemuCheck> {
  return qemuTools().check(image, extra);
}

/** A counter from check JSON, 0 when omitted. */
export function counter(json: Record<string, unknown>, name: string): number {
  const v = json[name];
  return typeof v === 'number' ? v : 0;
}

export async function qemuMap(image: string, extra: string[] = []): Promise<Record<string, unknown>[]> {
  return JSON.parse(await qemuImgOk(['map', '--output=json', ...extra, image])) as Record<string, unknown>[];
}

export async function qemuInfo(image: string, extra: string[] = []): Promise<Record<string, unknown>> {
  return JSON.parse(await qemuImgOk(['info', '--output=json', ...extra, image])) as Record<string, unknown>;
}

/** A fresh temp dir; call the returned cleanup in afterAll/afterEach. */
export function tempDir(prefix = 'crashcow-test-'): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The folder on PATH that holds qemu-io: what `--qemu DIR` names for the system's QEMU. @throws when there is none */
export function pathQemuDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'qemu-io')) && existsSync(join(dir, 'qemu-img'))) return dir;
  }
  throw new Error('qemu-io not found on PATH: install qemu-utils (apt-get install qemu-utils)');
}

/**
 * The folder of the second QEMU build that scripts/qemu-get.sh unpacks into .qemu/ (QEMU 10 from
 * Debian backports; fetched on first use, reused after), or why there is none (no network, not
 * Debian 12). Tests that need it skip with that reason.
 */
export async function qemuGetDir(): Promise<{ dir: string } | { reason: string }> {
  const script = fileURLToPath(new URL('../../scripts/qemu-get.sh', import.meta.url));
  const r = await execa('sh', [script], { reject: false, encoding: 'utf8', timeout: 300_000 });
  const dir = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.exitCode === 0 && dir !== '' && existsSync(join(dir, 'qemu-io'))) return { dir };
  return { reason: `scripts/qemu-get.sh exited ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}` };
}

/**
 * The folder of an already unpacked QEMU `version` (scripts/qemu-get.sh's `.qemu/VERSION/usr/bin`)
 * in this checkout or, for a git worktree, in the main checkout it belongs to; never fetches
 * anything. Tests that need it skip with the reason.
 */
export async function unpackedQemuDir(version: string): Promise<{ dir: string } | { reason: string }> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const common = await execa('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root, reject: false, encoding: 'utf8' });
  const roots = [root, ...(common.exitCode === 0 ? [join(common.stdout.trim(), '..')] : [])];
  const dirs = roots.map((r) => join(r, '.qemu', version, 'usr', 'bin'));
  const dir = dirs.find((d) => existsSync(join(d, 'qemu-io')) && existsSync(join(d, 'qemu-img')));
  return dir !== undefined ? { dir } : { reason: `no QEMU ${version} unpacked in ${dirs.join(' or ')} (npm run qemu:get unpacks it)` };
}
