/**
 * Reproducibility: one seed gives the same crash states, every id rebuilds its state byte for byte,
 * and a recording written as a dm-log-writes log and read back gives the same file and the same
 * crash states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../spec/format/byte-source.js';
import { CrashPlan } from '../src/storage/crash-states/crash-plan.js';
import { decodeLog } from '../src/storage/dm-log-writes/decode-log.js';
import { encodeLog } from '../src/storage/dm-log-writes/encode-log.js';
import { logToOps } from '../src/storage/dm-log-writes/log-ops.js';
import { opsToLogRecords } from '../src/storage/dm-log-writes/ops-to-log.js';
import { replayLog } from '../src/storage/dm-log-writes/replay-log.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { baseBytes, opPlanArb, PROPERTY_RUNS, record, replayed } from '../test/src/storage/storage-arbitraries.js';

const scenarioArb = fc.record({
  baseSizeBytes: fc.integer({ min: 0, max: 5000 }),
  plans: fc.array(opPlanArb(6000), { minLength: 1, maxLength: 10 }),
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  mode: fc.constantFrom('sample' as const, 'flush-points' as const),
  sectorSizeBytes: fc.constantFrom(512, 4096),
});

const contentOf = (dev: { sizeBytes: number; read(o: number, n: number): Uint8Array }): string => Buffer.from(dev.read(0, dev.sizeBytes)).toString('hex');

describe('crash states are reproducible', () => {
  it('the same seed gives the same ids in the same order, and each id rebuilds the same bytes', () => {
    fc.assert(
      fc.property(scenarioArb, ({ baseSizeBytes, plans, seed, mode, sectorSizeBytes }) => {
        const base = baseBytes(baseSizeBytes);
        const ops = record(base, plans);
        const opts = { seed, mode, sectorSizeBytes, maxStates: 40 };
        const first = [...new CrashPlan(MemoryDevice.from(base), ops, opts).states()];
        const second = new CrashPlan(MemoryDevice.from(base), ops, opts);
        expect([...second.states()].map((s) => s.id)).toEqual(first.map((s) => s.id));
        for (const state of first) expect(contentOf(second.rebuild(state.id).view()), state.id).toBe(contentOf(state.view()));
      }),
      { numRuns: PROPERTY_RUNS * 2, seed: 0x4e01 },
    );
  });
});

describe('recordings round-trip through dm-log-writes logs', () => {
  it('replaying the log of a recording gives the recorded file', () => {
    fc.assert(
      fc.property(scenarioArb, ({ baseSizeBytes, plans, sectorSizeBytes }) => {
        const base = baseBytes(baseSizeBytes);
        const ops = record(base, plans);
        const log = bytesSource(encodeLog(opsToLogRecords(ops, MemoryDevice.from(base), sectorSizeBytes), sectorSizeBytes));
        const dev = MemoryDevice.from(base);
        replayLog(log, decodeLog(log), dev);
        expect(contentOf(dev)).toBe(contentOf(replayed(base, ops, ops.length)));
      }),
      { numRuns: PROPERTY_RUNS * 3, seed: 0x4e02 },
    );
  });

  it('sector-aligned recordings give the same crash states from the log as from the recording', () => {
    const alignedArb = fc.record({ plans: fc.array(opPlanArb(8 * 512, 512, 0.1, 3), { minLength: 1, maxLength: 6 }), sectors: fc.integer({ min: 0, max: 8 }) });
    fc.assert(
      fc.property(alignedArb, ({ plans, sectors }) => {
        const base = baseBytes(sectors * 512);
        const ops = record(base, plans);
        const log = bytesSource(encodeLog(opsToLogRecords(ops, MemoryDevice.from(base), 512), 512));
        const fromLog = logToOps(log, decodeLog(log), base.length).ops;
        const states = (o: typeof ops): Set<string> => new Set([...new CrashPlan(MemoryDevice.from(base), o, { maxStates: 1e5 }).statesAt(o.length)].map((s) => contentOf(s.view())));
        expect(states(fromLog)).toEqual(states(ops));
      }),
      { numRuns: PROPERTY_RUNS * 2, seed: 0x4e03 },
    );
  });
});
