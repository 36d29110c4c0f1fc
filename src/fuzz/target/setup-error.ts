/**
 * SetupError: the fuzzer cannot start because something it needs is missing (qemu-io or qemu-img
 * for the QEMU engine, a usable temporary directory). The CLI prints it and exits 2.
 */
export class SetupError extends Error {
  readonly code = 'SETUP_ERROR' as const;
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

export function isSetupError(err: unknown): err is SetupError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SETUP_ERROR';
}
