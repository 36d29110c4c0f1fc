/**
 * EioFault and EioPlan: fast-check's plans stay in their bounds; resolving a plan keeps the
 * blkdebug fields for QEMU only (a named event's count folded to its small range); a fault reads
 * as one line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEioFault, EIO_EVENTS, EIO_REQUEST_MAX, eioPlanArb, isEioPlan, resolveEioPlan, type EioPlan } from '../../../../src/fuzz/nemesis/eio-fault.js';

const PLAN: EioPlan = { opOrdinal: 2, request: 5, errno: 'ENOSPC', mode: 'dead', event: 'l2_update', iotype: 'flush' };

describe('EioFault', () => {
  it('draws plans inside their bounds', () => {
    fc.assert(
      fc.property(eioPlanArb(24), (p) => {
        expect(p.opOrdinal).toBeGreaterThanOrEqual(0);
        expect(p.opOrdinal).toBeLessThanOrEqual(5);
        expect(p.request).toBeGreaterThanOrEqual(1);
        expect(p.request).toBeLessThanOrEqual(EIO_REQUEST_MAX);
        expect(EIO_EVENTS).toContain(p.event);
      }),
      { seed: 3, numRuns: 200 },
    );
    fc.assert(fc.property(eioPlanArb(1), (p) => p.opOrdinal === 0), { seed: 3, numRuns: 50 });
  });

  it('resolves a plan: the built-in engine drops the blkdebug fields, QEMU keeps them', () => {
    expect(resolveEioPlan(PLAN, 7, false)).toEqual({ kind: 'eio', op: 7, request: 5, errno: 'ENOSPC', mode: 'dead' });
    expect(resolveEioPlan(PLAN, 7, true)).toEqual({ kind: 'eio', op: 7, request: 2, errno: 'ENOSPC', mode: 'dead', event: 'l2_update', iotype: 'flush' });
    expect(resolveEioPlan({ ...PLAN, event: 'pwritev' }, 0, true).request).toBe(5);
    expect(isEioPlan(PLAN)).toBe(true);
    expect(isEioPlan(resolveEioPlan(PLAN, 0, false))).toBe(false);
  });

  it('describes a fault in one line, operations counted from 1', () => {
    expect(describeEioFault(resolveEioPlan(PLAN, 0, false))).toBe('ENOSPC from then on (dead disk) at request 5 from operation 1');
    expect(describeEioFault(resolveEioPlan({ ...PLAN, mode: 'once' }, 3, true))).toBe('ENOSPC once at the flush after blkdebug event l2_update #2 from operation 4');
  });
});
