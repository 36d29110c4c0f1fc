/**
 * UsageError: the user called a command wrongly (unknown flag, missing argument, bad number).
 * The CLI prints its message and the command's usage line, and exits 2 (or the command's own
 * usage exit code); never a stack trace.
 */
export class UsageError extends Error {
  readonly code = 'USAGE_ERROR' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function isUsageError(err: unknown): err is UsageError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'USAGE_ERROR';
}
