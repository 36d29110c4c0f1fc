/**
 * ExportRefusal: a case that cannot be exported in the form asked for, with the reason in words.
 * The CLI prints the message and exits 2.
 */
export class ExportRefusal extends Error {
  readonly code = 'EXPORT_REFUSAL' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ExportRefusal';
  }
}

export function isExportRefusal(err: unknown): err is ExportRefusal {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EXPORT_REFUSAL';
}
