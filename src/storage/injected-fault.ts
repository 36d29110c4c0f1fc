/** The error numbers the fault layer can inject. */
export type InjectedErrno = 'EIO' | 'ENOSPC';

/**
 * The operation classes faults are counted in (see FaultyDevice); `request` counts writes and
 * flushes together (the n-th write or flush, whichever it is).
 */
export type FaultOpClass = 'read' | 'write' | 'flush' | 'request';

/**
 * InjectedFault: an I/O error produced on purpose by FaultyDevice, never by real I/O, so injected
 * and real errors never mix. Carries which operation failed and its ordinal (1-based) in its class.
 */
export class InjectedFault extends Error {
  readonly code = 'INJECTED_FAULT' as const;

  constructor(
    readonly errno: InjectedErrno,
    readonly opClass: FaultOpClass,
    readonly ordinal: number,
  ) {
    super(`injected ${errno} on ${opClass} #${ordinal}`);
    this.name = 'InjectedFault';
  }
}

/** True for InjectedFault, also across realms and workers (where instanceof fails). */
export function isInjectedFault(err: unknown): err is InjectedFault {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'INJECTED_FAULT';
}
