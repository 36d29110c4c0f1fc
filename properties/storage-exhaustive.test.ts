/**
 * Exhaustive crash states are exactly the states the contract's words describe: checked against a
 * brute force that lands each pending write's sectors in every subset and every order, on logs small
 * enough to enumerate. Also: the states of any crash point are states of the next maximal point
 * (before a flush, before a FUA write, or at the end), which is why sampling visits only those.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../spec/format/byte-source.js';
import { checkCrashState, lastFlushBefore, type StorageOp } from '../spec/semantics/storage-contract.js';
import { countStates } from '../src/storage/crash-states/count-states.js';
import { CrashPlan } from '../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { baseBytes, opPlanArb, PROPERTY_RUNS, record, replayed, type OpPlan } from '../test/src/storage/storage-arbitraries.js';

const S = 512;
const SECTORS = 4;

/** Sector-aligned writes and discards inside the file, at most 10 pending sectors in all. */
const smallLogArb = fc
  .record({
    durable: fc.array(opPlanArb(SECTORS * S, S, 0), { maxLength: 2 }),
    pending: fc.array(opPlanArb(SECTORS * S, S, 0.1, 3).filter((p) => p.kind === 'write' || p.kind === 'discard'), { minLength: 1, maxLength: 4 }),
  })
  .map(({ durable, pending }) => {
    const inside = (p: OpPlan): OpPlan => (p.kind === 'write' || p.kind === 'discard' || p.kind === 'zeroes' ? { ...p, lengthBytes: Math.min(p.lengthBytes, SECTORS * S - p.offsetBytes) } : p);
    const plans = [...durable.filter((p) => p.kind !== 'truncate').map(inside), { kind: 'flush' as const }, ...pending.map(inside)];
    return record(baseBytes(SECTORS * S), plans);
  })
  .filter((ops) => ops.slice(lastFlushBefore(ops, ops.length) + 1).reduce((n, op) => n + op.lengthBytes / S, 0) <= 10);

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Every content the words allow: any subset of each op's sectors lands, in any order; FUA lands whole, after every earlier op. */
function bruteForce(base: Uint8Array, ops: readonly StorageOp[]): Set<string> {
  const f = lastFlushBefore(ops, ops.length);
  const durable = replayed(base, ops, f + 1).read(0, SECTORS * S);
  const pending = ops.slice(f + 1).map((op, j) => ({ op, j, sectors: Array.from({ length: op.lengthBytes / S }, (_, i) => op.offsetBytes / S + i) }));
  const orders = permutations(pending).filter((order) => order.every((p, pos) => !p.op.fua || order.slice(pos + 1).every((q) => q.j > p.j)));
  const out = new Set<string>();
  const totalSectors = pending.reduce((n, p) => n + p.sectors.length, 0);
  for (const order of orders) {
    for (let mask = 0; mask < 2 ** totalSectors; mask++) {
      const bytes = durable.slice();
      let bit = 0;
      let valid = true;
      for (const p of pending) {
        for (let i = 0; i < p.sectors.length; i++, bit++) if (p.op.fua && !(mask & (1 << bit))) valid = false;
      }
      if (!valid) continue;
      const bitOf = new Map<number, number>();
      let b = 0;
      for (const p of pending) bitOf.set(p.j, (b += p.sectors.length) - p.sectors.length);
      for (const p of order) {
        p.sectors.forEach((sector, i) => {
          if (!(mask & (1 << (bitOf.get(p.j)! + i)))) return;
          const image = p.op.kind === 'write' ? p.op.data!.subarray(i * S, (i + 1) * S) : new Uint8Array(S);
          bytes.set(image, sector * S);
        });
      }
      out.add(Buffer.from(bytes).toString('hex'));
    }
  }
  return out;
}

describe('exhaustive crash states', () => {
  it('are exactly the brute-force states, each once, as many as countStates says', () => {
    fc.assert(
      fc.property(smallLogArb, (ops) => {
        const base = baseBytes(SECTORS * S);
        const plan = new CrashPlan(MemoryDevice.from(base), ops);
        const model = plan.model(ops.length);
        expect(model.sizesBytes).toEqual([SECTORS * S]);
        const generated = [...plan.statesAt(ops.length, 1e6)].map((s) => Buffer.from(s.view().read(0, SECTORS * S)).toString('hex'));
        const expected = bruteForce(base, ops);
        expect(generated.length).toBe(new Set(generated).size);
        expect(new Set(generated)).toEqual(expected);
        expect(countStates(model)).toBe(expected.size);
      }),
      { numRuns: PROPERTY_RUNS * 2, seed: 0xe4a1 },
    );
  });

  it('every state of a crash point is a state of the next maximal point', () => {
    const scenario = fc.record({ plans: fc.array(opPlanArb(4000), { minLength: 1, maxLength: 8 }), at: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(scenario, ({ plans, at }) => {
        const base = baseBytes(3000);
        const ops = record(base, plans);
        const k = Math.round(at * ops.length);
        let next = k;
        while (next < ops.length && ops[next].kind !== 'flush' && !(ops[next].kind === 'write' && ops[next].fua)) next++;
        for (const state of new CrashPlan(MemoryDevice.from(base), ops, { seed: k }).statesAt(k, 32)) {
          expect(checkCrashState(ops, next, bytesSource(base), state.source()).findings, state.id).toEqual([]);
        }
      }),
      { numRuns: PROPERTY_RUNS * 3, seed: 0xe4a2 },
    );
  });
});
