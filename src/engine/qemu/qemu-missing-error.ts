/**
 * QemuMissingError: qemu-io or qemu-img cannot be run (not installed, not on PATH). A setup
 * problem, never a finding; the CLI reports it and exits 2.
 */
export class QemuMissingError extends Error {
  readonly code = 'QEMU_MISSING' as const;
  constructor(readonly binary: string) {
    super(`${binary} not found: the QEMU engine needs qemu-io and qemu-img (Debian: apt-get install qemu-utils)`);
    this.name = 'QemuMissingError';
  }
}

export function isQemuMissingError(err: unknown): err is QemuMissingError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'QEMU_MISSING';
}
