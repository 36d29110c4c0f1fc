/**
 * QemuMissingError: qemu-io or qemu-img cannot be run (not installed, not on PATH, a `--qemu DIR`
 * that does not hold them, a binary that fails `--version`). A setup problem, never a finding; the
 * CLI reports it, naming the path, and exits 2.
 */
export class QemuMissingError extends Error {
  readonly code = 'QEMU_MISSING' as const;
  /**
   * @param binary the name or path that could not be run
   * @param reason why, in a few words following it ("not found", "is not executable", "--version failed ...")
   */
  constructor(
    readonly binary: string,
    reason = 'not found',
  ) {
    super(`${binary} ${reason}: the QEMU engine needs qemu-io and qemu-img (give their folder with --qemu DIR or CRASHCOW_QEMU_DIR, or on Debian: apt-get install qemu-utils)`);
    this.name = 'QemuMissingError';
  }
}

export function isQemuMissingError(err: unknown): err is QemuMissingError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'QEMU_MISSING';
}
