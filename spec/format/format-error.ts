/**
 * FormatError: the image (or any untrusted input) breaks a rule of the format.
 *
 * Expected on hostile input; always names the rule (a clause id from QCOW2-FACTS, e.g. "HDR-4")
 * and where in the input it was found. Never thrown for our own bugs (those are assertion
 * failures) and never for injected faults (those are InjectedFault in src/storage).
 */
export class FormatError extends Error {
  readonly code = 'FORMAT_ERROR' as const;
  /** Clause id of the broken rule, e.g. "HDR-7" or "QIMPL-L1-SIZE". */
  readonly rule: string;
  /** Where in the input, e.g. "header.l1_table_offset @40" or "L2[3] @0x50000". */
  readonly where: string;

  constructor(rule: string, where: string, message: string) {
    super(`${rule} at ${where}: ${message}`);
    this.name = 'FormatError';
    this.rule = rule;
    this.where = where;
  }
}

/** True for FormatError, also across realms and workers (where instanceof fails). */
export function isFormatError(err: unknown): err is FormatError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'FORMAT_ERROR';
}

/**
 * Runs one stage of a walk over a possibly damaged image: a stage that gives up by throwing (a
 * FormatError from a codec, a RangeError from a table past every limit) yields null, so the caller
 * keeps what the earlier stages found. Any other error is a defect and propagates.
 */
export function safely<T>(stage: () => T): T | null {
  try {
    return stage();
  } catch (err) {
    if (err instanceof RangeError || isFormatError(err)) return null;
    throw err;
  }
}
