/**
 * The I/O-error nemesis and P6 (spec/semantics/crash-properties.ts): where a plan is armed, P6-1
 * and P6-2 on operations' outcomes (with hooks that say what failed), and whole runs on the
 * built-in engine and on QEMU: a failed write leaves its sectors in doubt and the run goes on; a
 * failed snapshot ends the process and its image is recovered; the mutant link-after-failed-write
 * breaks P6; a case with a fault replays exactly.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../src/engine/engine-error.js';
import type { MutantName } from '../../../../src/engine/mutants.js';
import type { FuzzCase } from '../../../../src/fuzz/case/fuzz-case.js';
import { replayCase } from '../../../../src/fuzz/case/replay-case.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import type { EioFault, EioPlan } from '../../../../src/fuzz/nemesis/eio-fault.js';
import type { EioHooks } from '../../../../src/fuzz/nemesis/eio-hooks.js';
import { EioNemesis } from '../../../../src/fuzz/nemesis/eio-nemesis.js';
import { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import type { RunOutcome } from '../../../../src/fuzz/runner/run-outcome.js';
import { BuiltinTarget } from '../../../../src/fuzz/target/builtin-target.js';
import type { FuzzTarget } from '../../../../src/fuzz/target/fuzz-target.js';
import { makeTarget } from '../../../../src/fuzz/target/make-target.js';
import { InjectedFault } from '../../../../src/storage/injected-fault.js';

const W = (offsetBytes: number, lengthBytes: number, writeId: number): FuzzOp => ({ kind: 'write', offsetBytes, lengthBytes, writeId });
const FLUSH: FuzzOp = { kind: 'flush' };
const OPTIONS: FuzzImageOptions = { virtualSizeBytes: 1 << 20, clusterSizeBytes: 4096, refcountBits: 16, compat: '1.1', lazyRefcounts: false, extendedL2: false, backing: null, cacheMode: 'writeback' };

/** Hooks whose failures the test sets. */
function fakeHooks(arming: 'now' | 'at-open', exact = true): EioHooks & { count: number; armed: EioFault[] } {
  const h = { arming, exactFailures: exact, count: 0, armed: [] as EioFault[], canArmAt: (op: FuzzOp) => op.kind !== 'snapshot-create', arm: (f: EioFault) => void h.armed.push(f), failures: () => h.count };
  return h;
}

const PLAN: EioPlan = { opOrdinal: 1, request: 2, errno: 'EIO', mode: 'once', event: 'pwritev', iotype: 'write' };

describe('EioNemesis', () => {
  it('arms a plan at its ordinal among the operations it may be armed at; at-open targets reopen first', () => {
    const now = new EioNemesis(PLAN, fakeHooks('now'));
    expect(now.beforeOp({ kind: 'snapshot-create', name: 's' }, 0)).toBeNull();
    expect(now.beforeOp(FLUSH, 1)).toBeNull();
    expect(now.beforeOp(W(0, 512, 1), 2)).toBe('arm');
    expect(now.fault).toEqual({ kind: 'eio', op: 2, request: 2, errno: 'EIO', mode: 'once' });
    const atOpen = new EioNemesis(PLAN, fakeHooks('at-open'));
    atOpen.beforeOp(FLUSH, 0);
    expect(atOpen.beforeOp(FLUSH, 1)).toBe('reopen-then-arm');
    expect(atOpen.fault).toMatchObject({ op: 2, event: 'pwritev', iotype: 'write' });
  });

  it('arms a case\'s fault at its operation, or at the reopen right before it', () => {
    const fault: EioFault = { kind: 'eio', op: 3, request: 1, errno: 'EIO', mode: 'once' };
    expect(new EioNemesis(fault, fakeHooks('now')).beforeOp(FLUSH, 3)).toBe('arm');
    const atOpen = new EioNemesis(fault, fakeHooks('at-open'));
    expect(atOpen.beforeOp(FLUSH, 2)).toBeNull();
    expect(atOpen.beforeOp({ kind: 'reopen' }, 2)).toBe('arm');
  });

  it('P6-1: an operation during which a request failed but that reported success', () => {
    const hooks = fakeHooks('now');
    const n = new EioNemesis({ kind: 'eio', op: 0, request: 1, errno: 'EIO', mode: 'once' }, hooks);
    n.beforeOp(W(0, 512, 1), 0);
    n.arm();
    n.startOp();
    hooks.count = 1;
    const r = n.afterOp(W(0, 512, 1), 0, false, null);
    expect(r.violation).toMatchObject({ property: 'P6', rules: ['P6-1'] });
    expect(n.faultInSegment).toBe(true);
  });

  it('P6-1 on a target without exact failures: a success after a failed request is judged by the next lockstep', () => {
    const hooks = fakeHooks('at-open', false);
    const n = new EioNemesis({ kind: 'eio', op: 1, request: 2, errno: 'EIO', mode: 'once', event: 'pwritev', iotype: 'write' }, hooks);
    n.beforeOp({ kind: 'reopen' }, 0);
    n.arm();
    n.startOp();
    n.afterOp({ kind: 'reopen' }, 0, false, null);
    n.startOp();
    hooks.count = 1;
    expect(n.afterOp(W(512, 512, 3), 1, false, null)).toEqual({ failed: false });
    expect(n.fired).toBe(true);
    const mismatch = { property: 'LOCKSTEP' as const, rules: ['DATA-1'], summary: 'sector 1 reads its old value', stage: 'lockstep after op 3 (reopen)', expected: 'write #3', actual: 'write #1' };
    expect(n.judgeLockstep(mismatch, null as never, 'lockstep after op 3 (reopen)')).toMatchObject({ property: 'P6', rules: ['DATA-1', 'P6-1', 'P6-3'], summary: expect.stringContaining('the log showed by op 2 (write 0x200 0x200 #3) while the operations reported success') });
    // Judged once: a later lockstep's violation is P6-3's alone.
    expect(n.judgeLockstep(mismatch, null as never, 'later')).toMatchObject({ rules: ['DATA-1', 'P6-3'] });
  });

  it('P6-2: after the failed operation, one succeeding and a later one failing', () => {
    const hooks = fakeHooks('now');
    const n = new EioNemesis({ kind: 'eio', op: 0, request: 1, errno: 'EIO', mode: 'once' }, hooks);
    n.beforeOp(W(0, 512, 1), 0);
    n.arm();
    n.startOp();
    hooks.count = 1;
    expect(n.afterOp(W(0, 512, 1), 0, true, new InjectedFault('EIO', 'request', 1))).toEqual({ failed: true });
    n.startOp();
    expect(n.afterOp(W(0, 512, 2), 1, false, null)).toEqual({ failed: false });
    n.startOp();
    const r = n.afterOp(W(0, 512, 3), 2, true, new EngineError('EIO', 'gave up'));
    expect(r).toMatchObject({ failed: true, violation: { property: 'P6', rules: ['P6-2'] } });
  });

  it('takes a silent flush of a target without exact failures as unconfirmed, never as a barrier', () => {
    const hooks = fakeHooks('at-open', false);
    const n = new EioNemesis({ kind: 'eio', op: 1, request: 1, errno: 'EIO', mode: 'once', event: 'pwritev', iotype: 'flush' }, hooks);
    n.beforeOp({ kind: 'reopen' }, 0);
    n.arm();
    n.startOp();
    n.afterOp({ kind: 'reopen' }, 0, false, null);
    expect(n.faultInSegment).toBe(true);
    n.startOp();
    expect(n.afterOp(FLUSH, 1, false, null)).toEqual({ failed: true });
  });
});

async function runOps(target: FuzzTarget, ops: FuzzOp[], fault: EioFault, options = OPTIONS): Promise<RunOutcome> {
  const run = await FuzzRun.start({ target, options, seed: 5, statesPerCrash: 64, eio: fault });
  for (const op of ops) await run.apply(op);
  return run.finish();
}

/** The case of a failed run (as finalizeFailure would save it, without shrinking). */
function caseOf(o: RunOutcome, mutants: MutantName[]): FuzzCase {
  if (o.verdict !== 'fail') throw new Error('expected a failure');
  return { schemaVersion: 1, engine: { name: 'builtin', version: 'x', mutants }, image: OPTIONS, contentSeed: 5, statesPerCrash: 64, operations: [...o.history], crash: null, violation: o.violation, seed: { campaign: 1, fastCheck: 0, path: '' }, replay: '', expectations: { builtin: 'fails' }, ...(o.eio ? { fault: o.eio } : {}) };
}

describe('I/O-error runs on the built-in engine', () => {
  it('a failed write leaves its sectors in doubt and the run goes on: flush, reopen, crash all hold', async () => {
    const o = await runOps(new BuiltinTarget(), [W(0, 8192, 1), W(65536, 4096, 2), FLUSH, W(4096, 512, 3), { kind: 'reopen' }, W(0, 512, 4)], { kind: 'eio', op: 1, request: 1, errno: 'ENOSPC', mode: 'once' });
    expect(o.verdict, JSON.stringify(o.verdict === 'fail' ? o.violation : null)).toBe('pass');
    expect(o.stats.faultsFired).toBe(1);
    expect(o.eio).toEqual({ kind: 'eio', op: 1, request: 1, errno: 'ENOSPC', mode: 'once' });
  });

  it('a dead disk fails every later request until the close; the reopen finds the image whole', async () => {
    const o = await runOps(new BuiltinTarget(), [W(0, 4096, 1), W(8192, 4096, 2), W(16384, 4096, 3), FLUSH, { kind: 'reopen' }, W(0, 512, 4), FLUSH], { kind: 'eio', op: 1, request: 1, errno: 'EIO', mode: 'dead' });
    expect(o.verdict, JSON.stringify(o.verdict === 'fail' ? o.violation : null)).toBe('pass');
    expect(o.stats.faultsFired).toBe(1);
  });

  it('a snapshot that fails half-way ends the process; its recovered image passes the next lockstep', async () => {
    const o = await runOps(new BuiltinTarget(), [W(0, 512, 1), W(0, 512, 2), FLUSH, { kind: 'snapshot-create', name: 's1' }, FLUSH, W(4096, 512, 3), { kind: 'reopen' }], { kind: 'eio', op: 3, request: 3, errno: 'EIO', mode: 'once' }, { ...OPTIONS, clusterSizeBytes: 512, refcountBits: 64, virtualSizeBytes: 4 << 20 });
    expect(o.verdict, JSON.stringify(o.verdict === 'fail' ? o.violation : null)).toBe('pass');
  });

  it('link-after-failed-write breaks P6, the unmutated engine passes the same run, and the case replays', async () => {
    const ops = [W(0, 4096, 1), { kind: 'snapshot-create', name: 's1' } as FuzzOp, FLUSH, W(0, 4096, 2), W(65536, 4096, 3), FLUSH];
    const broken: RunOutcome[] = [];
    for (let request = 1; request <= 16 && broken.length === 0; request++) {
      const fault: EioFault = { kind: 'eio', op: 3, request, errno: 'EIO', mode: 'once' };
      const o = await runOps(new BuiltinTarget({ mutants: ['link-after-failed-write'] }), ops, fault);
      if (o.verdict === 'fail') broken.push(o);
      expect((await runOps(new BuiltinTarget(), ops, fault)).verdict).toBe('pass');
    }
    expect(broken).toHaveLength(1);
    const o = broken[0];
    if (o.verdict !== 'fail') return;
    expect(o.violation.property).toBe('P6');
    const c = caseOf(o, ['link-after-failed-write']);
    expect((await replayCase(c, new BuiltinTarget({ mutants: ['link-after-failed-write'] }))).reproduced).toBe(true);
    expect((await replayCase(c, new BuiltinTarget())).reproduced).toBe(false);
  });
});

describe('I/O-error runs on QEMU', () => {
  it('arms blkdebug by a reopen before the operation: a failed write is reported and the run holds', async () => {
    const target = await makeTarget('qemu');
    try {
      for (const fault of [
        { kind: 'eio', op: 2, request: 1, errno: 'EIO', mode: 'once', event: 'pwritev', iotype: 'write' },
        { kind: 'eio', op: 2, request: 2, errno: 'ENOSPC', mode: 'dead', event: 'pwritev', iotype: 'write' },
        { kind: 'eio', op: 2, request: 1, errno: 'EIO', mode: 'once', event: 'l2_update', iotype: 'write' },
      ] satisfies EioFault[]) {
        const o = await runOps(target, [W(0, 4096, 1), { kind: 'reopen' }, W(65536, 4096, 2), W(8192, 512, 3), FLUSH, W(0, 512, 4), { kind: 'reopen' }], fault);
        expect(o.verdict, `${JSON.stringify(fault)}: ${JSON.stringify(o.verdict === 'fail' ? o.violation : null)}`).toBe('pass');
        // A write rule at a counted write shows in the log; one at l2_update fires in the flush, which qemu-io keeps silent about.
        if (fault.event === 'pwritev') expect(o.stats.faultsFired, JSON.stringify(fault)).toBe(1);
      }
    } finally {
      await target.dispose();
    }
  });

  it('a lazy-refcounts image whose dirty mark fails: QEMU keeps refcounts exact and the write succeeds, which the close confirms', async () => {
    // The second write from the reopen is the header's dirty mark, whose failure QEMU ignores (LAZY-2).
    const target = await makeTarget('qemu');
    try {
      const fault: EioFault = { kind: 'eio', op: 3, request: 2, errno: 'EIO', mode: 'once', event: 'pwritev', iotype: 'write' };
      const lazy: FuzzImageOptions = { ...OPTIONS, clusterSizeBytes: 512, lazyRefcounts: true, cacheMode: 'writethrough' };
      const o = await runOps(target, [W(0, 512, 1), W(0, 512, 2), { kind: 'reopen' }, W(512, 512, 3), { kind: 'reopen' }, W(1024, 512, 4)], fault, lazy);
      expect(o.verdict, JSON.stringify(o.verdict === 'fail' ? o.violation : null)).toBe('pass');
      expect(o.stats.faultsFired).toBe(1);
    } finally {
      await target.dispose();
    }
  });

  it('a write whose failure the driver swallows is caught by the lockstep at the close, as P6-1', async () => {
    const qemu = await makeTarget('qemu');
    // The same target, except that every write reports success whatever happened.
    const target = new Proxy(qemu, {
      get: (t, prop) => {
        if (prop !== 'startSession') return Reflect.get(t, prop, t);
        return async (...args: Parameters<FuzzTarget['startSession']>) => {
          const session = await t.startSession(...args);
          return new Proxy(session, {
            get: (s, key) => {
              if (key !== 'image') {
                const v = Reflect.get(s, key, s);
                return typeof v === 'function' ? v.bind(s) : v;
              }
              const image = s.image;
              return new Proxy(image, { get: (i, k) => (k === 'write' ? (o: number, d: Uint8Array) => i.write(o, d).catch(() => undefined) : Reflect.get(i, k, i)) });
            },
          });
        };
      },
    });
    try {
      const fault: EioFault = { kind: 'eio', op: 2, request: 1, errno: 'EIO', mode: 'once', event: 'pwritev', iotype: 'write' };
      const o = await runOps(target, [W(0, 512, 1), { kind: 'reopen' }, W(0, 512, 2), W(4096, 512, 3), { kind: 'reopen' }], fault);
      expect(o.verdict).toBe('fail');
      if (o.verdict === 'fail') expect(o.violation).toMatchObject({ property: 'P6', rules: expect.arrayContaining(['P6-1', 'P6-3']) });
    } finally {
      await qemu.dispose();
    }
  });

  it('ends the armed window where qemu-io closes the image: qemu-img\'s own writes are not the failing one\'s', async () => {
    const target = await makeTarget('qemu');
    try {
      const fault: EioFault = { kind: 'eio', op: 1, request: 1, errno: 'EIO', mode: 'once', event: 'pwritev', iotype: 'write' };
      const o = await runOps(target, [{ kind: 'reopen' }, FLUSH, { kind: 'snapshot-create', name: 's1' }, W(0, 512, 1), FLUSH], fault, { ...OPTIONS, clusterSizeBytes: 512, compat: '0.10' });
      expect(o.verdict, JSON.stringify(o.verdict === 'fail' ? o.violation : null)).toBe('pass');
    } finally {
      await target.dispose();
    }
  });
});
