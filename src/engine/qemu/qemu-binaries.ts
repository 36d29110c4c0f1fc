/**
 * QemuBinaries: which qemu-img and qemu-io the QEMU engine runs, and the version line they print.
 * Resolved once (from `--qemu DIR`, else CRASHCOW_QEMU_DIR, else PATH) and then passed as plain
 * data to every spawn, across worker threads too, so one campaign never mixes two QEMU builds.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { qemuVersionLine } from './qemu-img-run.js';
import { QemuMissingError } from './qemu-missing-error.js';

export interface QemuBinaries {
  /** The folder given (absolute), or null when the binaries are found on PATH. */
  dir: string | null;
  /** What is run for qemu-img: a path in `dir`, or the bare name for PATH. */
  img: string;
  /** What is run for qemu-io. */
  io: string;
  /** The first line of `qemu-io --version`, e.g. "qemu-io version 10.0.2 (Debian 1:10.0.2+ds-2)". */
  versionLine: string;
}

/** The environment variable naming the default QEMU folder (`--qemu DIR` wins over it). */
export const QEMU_DIR_ENV = 'CRASHCOW_QEMU_DIR';

/** The QEMU folder to use: `flag` when given, else CRASHCOW_QEMU_DIR when set and not empty, else null (PATH). */
export function qemuDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (flag !== undefined) return flag;
  const fromEnv = env[QEMU_DIR_ENV];
  return fromEnv === undefined || fromEnv === '' ? null : fromEnv;
}

/**
 * Finds qemu-img and qemu-io in `dir` (null: on PATH) and checks that both run `--version`.
 * `dir` undefined means the default: CRASHCOW_QEMU_DIR, else PATH.
 * @throws QemuMissingError naming the path when the folder or a binary is missing or unusable
 */
export async function resolveQemuBinaries(dir: string | null | undefined = qemuDirOf(undefined)): Promise<QemuBinaries> {
  const folder = dir === null ? null : resolve(dir);
  if (folder !== null) assertFolder(folder, dir!);
  const img = folder === null ? 'qemu-img' : join(folder, 'qemu-img');
  const io = folder === null ? 'qemu-io' : join(folder, 'qemu-io');
  if (folder !== null) for (const bin of [img, io]) assertExecutable(bin);
  const versionLine = await qemuVersionLine(io);
  await qemuVersionLine(img);
  return { dir: folder, img, io, versionLine };
}

function assertFolder(folder: string, given: string): void {
  let isDir = false;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    throw new QemuMissingError(given, 'does not exist');
  }
  if (!isDir) throw new QemuMissingError(given, 'is not a folder');
}

function assertExecutable(path: string): void {
  try {
    statSync(path);
  } catch {
    throw new QemuMissingError(path, 'not found');
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new QemuMissingError(path, 'is not executable');
  }
}
