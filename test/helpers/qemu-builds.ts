/**
 * The QEMU builds this machine has, for tests that run on each of them (`describe.each`): the
 * system's (the folder on PATH holding qemu-img and qemu-io, /usr/bin on Debian), every build that
 * scripts/qemu-get.sh unpacked under .qemu/VERSION/usr/bin, and CRASHCOW_QEMU_DIR when it is set.
 * A folder reached twice (a link, or CRASHCOW_QEMU_DIR naming one of the others) is listed once.
 * When .qemu/ holds no build, the list ends with a `missing` entry carrying the reason (the one
 * `npm test`'s setup wrote into .qemu/unavailable.txt, else how to fetch one), so the tests for it
 * are reported as skipped, saying why, instead of vanishing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QEMU_DIR_ENV } from '../../src/engine/qemu/qemu-binaries.js';
import { versionKeyOf } from '../../src/fuzz/case/case-expectations.js';
import { pathQemuDir } from './qemu.js';

export interface QemuBuild {
  /** Absolute folder holding qemu-img and qemu-io. */
  dir: string;
  /** The first line of `qemu-io --version`. */
  versionLine: string;
  /** The x.y.z the corpus records results under (`7.2.22`, `10.0.2`). */
  versionKey: string;
  /** What a test title shows: "QEMU 10.0.2 (.qemu/10.0.2/usr/bin)". */
  label: string;
}

/** A build the tests expected (one from .qemu/) but the machine does not have. */
export interface MissingQemuBuild {
  missing: true;
  label: string;
  /** Why it is missing and how to get it. */
  reason: string;
}

const projectDir = fileURLToPath(new URL('../../', import.meta.url));
const unpackedDir = join(projectDir, '.qemu');

let listed: Array<QemuBuild | MissingQemuBuild> | undefined;

/** Every QEMU build of the machine, the system's first, then a `missing` entry if .qemu/ has none. */
export function qemuBuilds(): Array<QemuBuild | MissingQemuBuild> {
  listed ??= listBuilds();
  return listed;
}

/** The builds that are there, without the `missing` entry. */
export function presentQemuBuilds(): QemuBuild[] {
  return qemuBuilds().filter((b): b is QemuBuild => !('missing' in b));
}

/** The build `b`, or (for a missing one) warns with the reason and returns null: the caller skips. */
export function buildOrSkip(b: QemuBuild | MissingQemuBuild, skip: (reason: string) => void): QemuBuild | null {
  if (!('missing' in b)) return b;
  console.warn(`SKIPPED on ${b.label}: ${b.reason}`);
  skip(b.reason);
  return null;
}

function listBuilds(): Array<QemuBuild | MissingQemuBuild> {
  const seen = new Set<string>();
  const builds: QemuBuild[] = [];
  const add = (dir: string) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    builds.push(describeBuild(dir));
  };
  add(pathQemuDir());
  const unpacked = unpackedBuildDirs();
  for (const dir of unpacked) add(dir);
  const fromEnv = process.env[QEMU_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') add(fromEnv);
  if (unpacked.length > 0) return builds;
  return [...builds, { missing: true, label: 'QEMU 10 (.qemu/, not there)', reason: missingReason() }];
}

/** The folders .qemu/VERSION/usr/bin holding both binaries, in version order. */
function unpackedBuildDirs(): string[] {
  if (!existsSync(unpackedDir)) return [];
  return readdirSync(unpackedDir)
    .filter((name) => /^\d+\.\d+\.\d+$/.test(name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => join(unpackedDir, name, 'usr', 'bin'))
    .filter((dir) => existsSync(join(dir, 'qemu-io')) && existsSync(join(dir, 'qemu-img')));
}

/**
 * Runs `qemu-io --version` in `dir`.
 * @throws when it does not run: a listed build that cannot run is a broken setup, not a skip
 */
function describeBuild(dir: string): QemuBuild {
  const io = join(dir, 'qemu-io');
  const versionLine = execFileSync(io, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const versionKey = versionKeyOf(versionLine);
  const shown = dir.startsWith(projectDir) ? relative(projectDir, dir) : dir;
  return { dir, versionLine, versionKey, label: `QEMU ${versionKey} (${shown})` };
}

function missingReason(): string {
  const note = join(unpackedDir, 'unavailable.txt');
  const why = existsSync(note) ? readFileSync(note, 'utf8').trim() : 'no build unpacked under .qemu/';
  return `${why}; npm test fetches QEMU 10 into .qemu/ when the system can (npm run qemu:get does it alone)`;
}
