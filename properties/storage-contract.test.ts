/**
 * Storage contract properties (SC-1 .. SC-6, spec/semantics/storage-contract.md): every crash state
 * the generator yields is allowed by the contract, and by two naive oracles written independently
 * of both: flushed data is always there, and no byte is one nobody wrote at that position.
 * Canaries prove the judges catch broken states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../spec/format/byte-source.js';
import { checkCrashState, lastFlushBefore, type StorageOp } from '../spec/semantics/storage-contract.js';
import { CrashPlan } from '../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { toByteSource } from '../src/storage/to-byte-source.js';
import { baseBytes, opPlanArb, PROPERTY_RUNS, record, replayed } from '../test/src/storage/storage-arbitraries.js';

const SPAN_BYTES = 6000;

const scenarioArb = fc
  .record({
    baseSizeBytes: fc.integer({ min: 0, max: 5000 }),
    plans: fc.array(opPlanArb(SPAN_BYTES), { minLength: 1, maxLength: 9 }),
    crashFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    sectorSizeBytes: fc.constantFrom(512, 512, 4096),
    seed: fc.integer({ min: 0, max: 0xffff }),
  })
  .map((s) => {
    const base = baseBytes(s.baseSizeBytes);
    const ops = record(base, s.plans);
    return { ...s, base, ops, crashPoint: Math.round(s.crashFraction * ops.length) };
  });

/** Per byte position, every value some operation before the crash (or the base) put there. */
function writtenValues(base: Uint8Array, ops: readonly StorageOp[], crashPoint: number, sizeBytes: number): Array<Set<number>> {
  const values = Array.from({ length: sizeBytes }, (_, i) => new Set([i < base.length ? base[i] : 0]));
  for (const op of ops.slice(0, crashPoint)) {
    for (let i = 0; i < sizeBytes; i++) {
      const inRange = i >= op.offsetBytes && i < op.offsetBytes + op.lengthBytes;
      if (op.kind === 'write' && inRange) values[i].add(op.data![i - op.offsetBytes]);
      if ((op.kind === 'zeroes' || op.kind === 'discard') && inRange) values[i].add(0);
      if (op.kind === 'truncate' && i >= op.offsetBytes) values[i].add(0);
    }
  }
  return values;
}

/** Sectors some pending operation may have changed (a generous superset). */
function maybeChangedSectors(ops: readonly StorageOp[], crashPoint: number, sectorSizeBytes: number): (sector: number) => boolean {
  const ranges = ops.slice(lastFlushBefore(ops, crashPoint) + 1, crashPoint).map((op) =>
    op.kind === 'truncate' ? [Math.floor(op.offsetBytes / sectorSizeBytes), Infinity] : [Math.floor(op.offsetBytes / sectorSizeBytes), Math.ceil((op.offsetBytes + op.lengthBytes) / sectorSizeBytes)],
  );
  return (sector) => ranges.some(([a, b]) => sector >= a && sector < b);
}

describe('crash states obey the storage contract', () => {
  it('SC-1..SC-6: the contract allows every generated state', () => {
    fc.assert(
      fc.property(scenarioArb, ({ base, ops, crashPoint, sectorSizeBytes, seed }) => {
        const plan = new CrashPlan(MemoryDevice.from(base), ops, { sectorSizeBytes, seed });
        for (const state of plan.statesAt(crashPoint, 24)) {
          const verdict = checkCrashState(ops, crashPoint, bytesSource(base), state.source(), sectorSizeBytes);
          expect(verdict.findings, state.id).toEqual([]);
        }
      }),
      { numRuns: PROPERTY_RUNS * 5, seed: 0x5c01 },
    );
  });

  it('SC-1: a write flushed before the crash point is always there', () => {
    fc.assert(
      fc.property(scenarioArb, ({ base, ops, crashPoint, sectorSizeBytes, seed }) => {
        const durable = replayed(base, ops, lastFlushBefore(ops, crashPoint) + 1);
        const pending = maybeChangedSectors(ops, crashPoint, sectorSizeBytes);
        const plan = new CrashPlan(MemoryDevice.from(base), ops, { sectorSizeBytes, seed });
        for (const state of plan.statesAt(crashPoint, 24)) {
          const bytes = state.view().read(0, state.sizeBytes);
          const expected = durable.read(0, state.sizeBytes);
          for (let i = 0; i < bytes.length; i++) {
            if (!pending(Math.floor(i / sectorSizeBytes)) && bytes[i] !== expected[i]) expect.fail(`${state.id}: byte ${i} is ${bytes[i]}, durable ${expected[i]}`);
          }
        }
      }),
      { numRuns: PROPERTY_RUNS * 5, seed: 0x5c02 },
    );
  });

  it('SC-2: no byte ever holds a value nobody wrote at that position', () => {
    fc.assert(
      fc.property(scenarioArb, ({ base, ops, crashPoint, sectorSizeBytes, seed }) => {
        const plan = new CrashPlan(MemoryDevice.from(base), ops, { sectorSizeBytes, seed });
        for (const state of plan.statesAt(crashPoint, 24)) {
          const bytes = state.view().read(0, state.sizeBytes);
          const values = writtenValues(base, ops, crashPoint, bytes.length);
          const foreign = bytes.findIndex((b, i) => !values[i].has(b));
          expect(foreign, `${state.id}: foreign byte at ${foreign}`).toBe(-1);
        }
      }),
      { numRuns: PROPERTY_RUNS * 5, seed: 0x5c03 },
    );
  });
});

describe('canaries: the judges catch broken states', () => {
  it('a byte nobody wrote makes the contract reject the state (SC-1 or SC-2)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), ({ base, ops, crashPoint, sectorSizeBytes, seed }, where) => {
        const plan = new CrashPlan(MemoryDevice.from(base), ops, { sectorSizeBytes, seed });
        const state = plan.statesAt(crashPoint, 1).next().value;
        fc.pre(state !== undefined && state.sizeBytes > 0);
        const bytes = state!.view().read(0, state!.sizeBytes);
        const i = where % bytes.length;
        const values = writtenValues(base, ops, crashPoint, bytes.length)[i];
        bytes[i] = [...Array(256).keys()].find((v) => !values.has(v))!;
        const verdict = checkCrashState(ops, crashPoint, bytesSource(base), bytesSource(bytes), sectorSizeBytes);
        expect(verdict.valid).toBe(false);
        expect(['SC-1', 'SC-2', 'SC-4']).toContain(verdict.findings[0].rule);
      }),
      { numRuns: PROPERTY_RUNS * 2, seed: 0x5c04 },
    );
  });

  it('a generator that forgets flushed writes (returns the base file) is caught by SC-1', () => {
    const base = baseBytes(4096);
    const ops = record(base, [{ kind: 'write', offsetBytes: 1000, lengthBytes: 100, fill: 7, fua: false }, { kind: 'flush' }, { kind: 'write', offsetBytes: 3000, lengthBytes: 10, fill: 9, fua: false }]);
    const verdict = checkCrashState(ops, 3, bytesSource(base), toByteSource(MemoryDevice.from(base)));
    expect(verdict.findings.map((f) => [f.rule, f.where])).toEqual([
      ['SC-1', 'sector 1 @0x3e8'],
      ['SC-1', 'sector 2 @0x400'],
    ]);
  });

  it('a lost FUA write is caught by SC-4, a wrong size by SC-5', () => {
    const base = baseBytes(1024);
    const ops = record(base, [{ kind: 'write', offsetBytes: 0, lengthBytes: 512, fill: 7, fua: true }, { kind: 'write', offsetBytes: 1024, lengthBytes: 512, fill: 8, fua: false }]);
    const verdict = checkCrashState(ops, 2, bytesSource(base), bytesSource(base.subarray(0, 1000)));
    expect(verdict.findings.map((f) => f.rule)).toEqual(['SC-5', 'SC-4']);
  });
});
