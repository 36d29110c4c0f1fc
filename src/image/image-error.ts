/**
 * ImageError: an image chain cannot be opened as asked, for a reason that is neither a format
 * violation (FormatError) nor our bug: a backing or data file that is missing, that --no-follow
 * forbids, whose name is a protocol or json: specification, a cycle, a chain too deep, or a
 * format crashcow does not read. The CLI prints it as one line and exits 1.
 */
export type ImageErrorReason =
  | 'missing-file'
  | 'no-follow'
  | 'unsafe-name'
  | 'cycle'
  | 'chain-too-deep'
  | 'unsupported-format'
  | 'no-data-file-name'
  | 'same-file';

export class ImageError extends Error {
  readonly code = 'IMAGE_ERROR' as const;
  constructor(
    readonly reason: ImageErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

/** True for ImageError, also across realms and workers (where instanceof fails). */
export function isImageError(err: unknown): err is ImageError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'IMAGE_ERROR';
}
