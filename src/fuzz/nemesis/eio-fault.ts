/**
 * EioFault: the I/O-error nemesis' choice for one run (`crashcow fuzz --faults eio`), as a case
 * records it (`fault` in spec/schemas/case.schema.json): armed at the start of one operation, the
 * n-th request from there fails with EIO or ENOSPC, once or from then on until the image is closed
 * (a dead disk). The built-in engine counts every write and flush its device gets (FaultyDevice);
 * QEMU counts blkdebug events under the qcow2 driver (every write, `pwritev`, or a named step such
 * as `l2_update`) and fails the next write or flush after the n-th one (blkdebug-config.ts).
 *
 * EioPlan is what fast-check draws before the run: the operation as an ordinal among those a fault
 * may be armed at (the run resolves it to an index), and every QEMU field; a built-in run drops those.
 */
import fc from 'fast-check';

export type EioErrno = 'EIO' | 'ENOSPC';

/** once: only the n-th request fails; dead: it and every later write and flush, until the image is closed. */
export type EioMode = 'once' | 'dead';

/**
 * blkdebug events a QEMU fault counts (QCOW2-FACTS §3 blkdebug; the names 7.2 and 10.0 both take):
 * `pwritev` is every write the qcow2 driver issues to its file; the others are named qcow2 steps.
 */
export const EIO_EVENTS = [
  'pwritev',
  'l1_update',
  'l1_grow_alloc_table',
  'l1_grow_write_table',
  'l1_grow_activate_table',
  'l2_update',
  'l2_alloc_write',
  'write_aio',
  'cow_write',
  'refblock_update_part',
  'refblock_alloc',
  'refblock_alloc_hookup',
  'refblock_alloc_write',
  'refblock_alloc_write_blocks',
  'refblock_alloc_write_table',
  'refblock_alloc_switch_table',
  'reftable_grow',
  'cluster_alloc',
  'cluster_free',
  'flush_to_os',
  'flush_to_disk',
] as const;
export type EioEvent = (typeof EIO_EVENTS)[number];

export interface EioFault {
  kind: 'eio';
  /** Index in the case's operations of the operation at whose start the fault is armed. */
  op: number;
  /** 1-based: the request (built-in) or event occurrence (QEMU) counted from the arming that fails. */
  request: number;
  errno: EioErrno;
  mode: EioMode;
  /** QEMU only: the blkdebug event counted. */
  event?: EioEvent;
  /** QEMU only: what fails at the n-th event: the write it announces (or the next write), or the next flush. */
  iotype?: 'write' | 'flush';
}

/** A fault before the run resolves its operation. */
export interface EioPlan {
  /** Ordinal (from 0) among the operations a fault may be armed at. */
  opOrdinal: number;
  request: number;
  errno: EioErrno;
  mode: EioMode;
  event: EioEvent;
  iotype: 'write' | 'flush';
}

/** Requests counted from the arming at most: the first few requests of an operation matter most. */
export const EIO_REQUEST_MAX = 12;

/**
 * Operations a fault is armed after at most: a run averages about six operations (fast-check's
 * command lists are short more often than long), and a fault armed past a run's end never fires.
 */
const EIO_OP_ORDINAL_MAX = 5;

/** Named events seldom occur many times in one open: their count is at most this. */
const NAMED_EVENT_OCCURRENCE_MAX = 3;

/** The plans of runs of at most `maxCommands` commands (about half of them `pwritev`, a request count). */
export function eioPlanArb(maxCommands: number): fc.Arbitrary<EioPlan> {
  return fc.record({
    opOrdinal: fc.nat(Math.max(0, Math.min(maxCommands - 1, EIO_OP_ORDINAL_MAX))),
    request: fc.integer({ min: 1, max: EIO_REQUEST_MAX }),
    errno: fc.constantFrom<EioErrno>('EIO', 'ENOSPC'),
    mode: fc.constantFrom<EioMode>('once', 'once', 'once', 'dead'),
    event: fc.oneof(fc.constant<EioEvent>('pwritev'), fc.constantFrom(...EIO_EVENTS.slice(1))),
    iotype: fc.constantFrom<'write' | 'flush'>('write', 'write', 'flush'),
  });
}

/** The fault a plan makes when it is armed at operation `op`; `qemu` keeps the blkdebug fields. */
export function resolveEioPlan(plan: EioPlan, op: number, qemu: boolean): EioFault {
  const base: EioFault = { kind: 'eio', op, request: plan.request, errno: plan.errno, mode: plan.mode };
  if (!qemu) return base;
  const request = plan.event === 'pwritev' ? plan.request : 1 + ((plan.request - 1) % NAMED_EVENT_OCCURRENCE_MAX);
  return { ...base, request, event: plan.event, iotype: plan.iotype };
}

/** True for a plan (fast-check's value) rather than a resolved fault (a case's). */
export function isEioPlan(f: EioPlan | EioFault): f is EioPlan {
  return (f as EioPlan).opOrdinal !== undefined;
}

/** One line: "EIO once at request 3 from operation 5" (operations numbered from 1, as explain numbers them). */
export function describeEioFault(f: EioFault): string {
  const what = f.event === undefined ? `request ${f.request}` : `the ${f.iotype ?? 'write'} after blkdebug event ${f.event} #${f.request}`;
  return `${f.errno} ${f.mode === 'once' ? 'once' : 'from then on (dead disk)'} at ${what} from operation ${f.op + 1}`;
}
