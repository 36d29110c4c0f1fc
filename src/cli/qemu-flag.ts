/**
 * `--qemu DIR`, shared by the commands that run QEMU: the folder holding qemu-img and qemu-io (a
 * QEMU build folder, an unpacked package's usr/bin, or /usr/bin); CRASHCOW_QEMU_DIR is its default,
 * and without either the binaries are found on PATH. A folder or binary that cannot be used is a
 * setup error: one line naming the path, exit 2.
 */
import { QEMU_DIR_ENV, qemuDirOf, resolveQemuBinaries, type QemuBinaries } from '../engine/qemu/qemu-binaries.js';
import { isQemuMissingError } from '../engine/qemu/qemu-missing-error.js';
import { flagValue, type FlagSpec, type ParsedArgs } from './parse-args.js';

/** The flag's spec (`repeatable` for the commands that compare several builds). */
export function qemuFlagSpec(repeatable = false): FlagSpec {
  return { name: 'qemu', takesValue: true, repeatable };
}

/** The value of a single `--qemu`, or undefined. */
export function qemuFlagValue(args: ParsedArgs): string | undefined {
  return flagValue(args, 'qemu');
}

/**
 * The binaries of `dir` (undefined: CRASHCOW_QEMU_DIR, else PATH), or null after printing
 * "crashcow COMMAND: --qemu: PATH does not exist: ..." (or CRASHCOW_QEMU_DIR: ...) on stderr when they cannot be used (the caller exits 2).
 */
export async function resolveQemuOrReport(command: string, dir: string | undefined): Promise<QemuBinaries | null> {
  try {
    return await resolveQemuBinaries(qemuDirOf(dir));
  } catch (err) {
    if (!isQemuMissingError(err)) throw err;
    const source = dir !== undefined ? '--qemu: ' : qemuDirOf(undefined) !== null ? `${QEMU_DIR_ENV}: ` : '';
    process.stderr.write(`crashcow ${command}: ${source}${err.message}\n`);
    return null;
  }
}
