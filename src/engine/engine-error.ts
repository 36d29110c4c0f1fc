/**
 * EngineError: a guest request or image operation failed the way an errno fails in QEMU (a write
 * out of range, a compressed write over allocated data, a refcount overflow, a snapshot not found).
 * Never a format problem of the image (FormatError) nor an injected device fault (InjectedFault).
 */
export type EngineErrno = 'EINVAL' | 'EIO' | 'ENOENT' | 'ENOTSUP' | 'EFBIG' | 'EROFS' | 'EDIRTY';

/** The strerror text qemu-io prints for each code ("write failed: Input/output error"). */
export const errnoText: Record<EngineErrno, string> = {
  EINVAL: 'Invalid argument',
  EIO: 'Input/output error',
  ENOENT: 'No such file or directory',
  ENOTSUP: 'Operation not supported',
  EFBIG: 'File too large',
  EROFS: 'Read-only file system',
  EDIRTY: 'Image is dirty and needs a repair',
};

export class EngineError extends Error {
  readonly code = 'ENGINE_ERROR' as const;

  /**
   * @param errno what failed, as an errno name
   * @param detail one line for people; the CLI prints `errnoText[errno]` where qemu-io would
   */
  constructor(
    readonly errno: EngineErrno,
    readonly detail: string,
  ) {
    super(`${errnoText[errno]}: ${detail}`);
    this.name = 'EngineError';
  }
}

/** True for EngineError, also across realms and workers (where instanceof fails). */
export function isEngineError(err: unknown): err is EngineError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENGINE_ERROR';
}
