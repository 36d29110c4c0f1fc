/**
 * blkdebugConfig: the blkdebug rules (a config file in blkdebug's ini syntax, QCOW2-FACTS §3) that
 * make the n-th occurrence of one event, counted from the open, fail the request it announces or
 * the next request of a kind. blkdebug sits between the qcow2 driver and blklogwrites, so it sees
 * qcow2's named events and a failed request never reaches the log.
 *
 * How the rules work (facts of block/blkdebug.c, in our words): blkdebug starts in state 1; a
 * `set-state` rule moves it on an event; an `inject-error` rule whose event fires in its state
 * becomes active (replacing the rules an earlier event activated) and fails the next request of
 * its iotype; `once` removes it after that; one with errno 0 fails nothing (it only replaces).
 * `pwritev` fires right before each write reaches blkdebug (`pwritev_zero` before a zero write),
 * so counting it counts writes and the rule it activates fails that very write.
 */

/** What to fail (the QEMU fields of an I/O-error fault). */
export interface BlkdebugFault {
  /** The event counted: a BlkdebugEvent name such as `pwritev` or `l2_update`. */
  event: string;
  /** 1-based: the occurrence of `event` that arms the failure. */
  request: number;
  errno: 'EIO' | 'ENOSPC';
  /** once: one request fails; dead: every write, zero write, discard and flush from then on. */
  mode: 'once' | 'dead';
  /** write: the write the event announces (or the next one); flush: the next flush. */
  iotype: 'write' | 'flush';
}

const ERRNO_NUMBER = { EIO: 5, ENOSPC: 28 } as const;

/** Linux numbers of the errors (what blkdebug's `errno` takes). */
export function errnoNumber(errno: BlkdebugFault['errno']): number {
  return ERRNO_NUMBER[errno];
}

/** The config file's text. @throws RangeError for a request below 1 */
export function blkdebugConfig(f: BlkdebugFault): string {
  if (!Number.isSafeInteger(f.request) || f.request < 1) throw new RangeError(`blkdebug request must be >= 1, got ${f.request}`);
  // A zero write is a write too when writes are counted.
  const events = f.event === 'pwritev' ? ['pwritev', 'pwritev_zero'] : [f.event];
  const out: string[] = [];
  for (const event of events) {
    for (let state = 1; state <= f.request; state++) out.push(section('set-state', { event, state, new_state: state + 1 }));
    for (const iotype of failingTypes(f, event)) {
      out.push(section('inject-error', { event, state: f.request, iotype, errno: errnoNumber(f.errno), ...(f.mode === 'once' ? { once: 'on' } : {}) }));
    }
    // once: the next occurrence replaces whatever write rule did not fire (a flush rule waits for its flush).
    if (f.mode === 'once' && f.iotype === 'write') out.push(section('inject-error', { event, state: f.request + 1, errno: 0 }));
  }
  return out.join('');
}

/** The iotypes the rules at the n-th `event` fail. */
function failingTypes(f: BlkdebugFault, event: string): string[] {
  if (f.mode === 'dead') return ['write', 'write-zeroes', 'discard', 'flush'];
  if (f.iotype === 'flush') return ['flush'];
  return event === 'pwritev_zero' ? ['write-zeroes', 'write'] : ['write'];
}

function section(kind: string, fields: Record<string, string | number>): string {
  return `[${kind}]\n${Object.entries(fields).map(([k, v]) => `${k} = "${v}"`).join('\n')}\n`;
}
