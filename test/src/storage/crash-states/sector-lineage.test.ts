/**
 * SectorLineage and bytesOrigins: the name "after op k" given to a sector's bytes means the same
 * bytes in every crash state of a plan, at every crash point (the cross-point verdict memo of P4
 * rests on it). Checked on a hand-built log, then on random logs of writes (whole and partial
 * sectors, FUA), zeroing, discards, truncates and flushes, over every state of every point.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOrigins } from '../../../../src/storage/crash-states/crash-point-model.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { SectorLineage } from '../../../../src/storage/crash-states/sector-lineage.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const S = 512;
const bytes = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

describe('SectorLineage', () => {
  it('names the last operation up to a point that changed a sector, -1 for the base', () => {
    const rec = new RecordingDevice(MemoryDevice.from(bytes(4 * S, 1)));
    rec.write(0, bytes(S, 2)); // op 0: sector 0
    rec.flush(); // op 1
    rec.write(S + 100, bytes(10, 3)); // op 2: part of sector 1
    rec.truncate(2 * S); // op 3: sectors 2 and 3 cut
    rec.write(0, bytes(S, 4)); // op 4: sector 0 again
    const lineage = new SectorLineage(4 * S, rec.ops, S);
    expect([0, 1, 3, 4].map((at) => lineage.lastChangeAtOrBefore(0, at))).toEqual([0, 0, 0, 4]);
    expect([1, 2].map((at) => lineage.lastChangeAtOrBefore(1, at))).toEqual([-1, 2]);
    expect(lineage.lastChangeAtOrBefore(3, 2)).toBe(-1);
    expect(lineage.lastChangeAtOrBefore(3, 4)).toBe(3);
  });
});

type Step = { kind: 'write'; sector: number; sectors: number; at: number; len: number; v: number; fua: boolean } | { kind: 'zeroes' | 'discard'; sector: number; sectors: number } | { kind: 'truncate'; sectors: number } | { kind: 'flush' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('write' as const), sector: fc.nat(5), sectors: fc.integer({ min: 1, max: 2 }), at: fc.nat(S - 1), len: fc.integer({ min: 1, max: S }), v: fc.integer({ min: 1, max: 255 }), fua: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('zeroes' as const, 'discard' as const), sector: fc.nat(5), sectors: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), sectors: fc.integer({ min: 1, max: 7 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'flush' as const }) },
);

function play(rec: RecordingDevice, step: Step): void {
  switch (step.kind) {
    case 'write': {
      // Whole sectors, or a partial write inside one sector.
      if (step.sectors === 2) rec.write(step.sector * S, bytes(2 * S, step.v), { fua: step.fua });
      else rec.write(step.sector * S + step.at, bytes(Math.min(step.len, S - step.at), step.v), { fua: step.fua });
      return;
    }
    case 'zeroes':
      return rec.writeZeroes(step.sector * S, step.sectors * S);
    case 'discard':
      return rec.discard(step.sector * S, step.sectors * S);
    case 'truncate':
      return rec.truncate(step.sectors * S);
    case 'flush':
      return rec.flush();
  }
}

describe('bytesOrigins', () => {
  it('equal origins mean equal bytes, across every state of every crash point of a plan', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), (steps) => {
        const base = MemoryDevice.from(bytes(6 * S, 0x5a));
        const rec = new RecordingDevice(MemoryDevice.from(bytes(6 * S, 0x5a)));
        for (const step of steps) play(rec, step);
        const plan = new CrashPlan(base, rec.ops, { mode: 'flush-points', maxStates: 64 });
        const seen = new Map<string, string>();
        for (const state of plan.states()) {
          const view = state.view();
          const sectors = Math.floor(state.sizeBytes / S);
          const origins = new Float64Array(sectors);
          bytesOrigins(state.model, state.codes, 0, sectors, origins);
          for (let sector = 0; sector < sectors; sector++) {
            const origin = origins[sector];
            expect(origin).toBeGreaterThanOrEqual(0);
            const content = Buffer.from(view.read(sector * S, S)).toString('hex');
            const key = `${sector}/${origin}`;
            const before = seen.get(key);
            if (before === undefined) seen.set(key, content);
            else expect(content, `sector ${sector}, origin ${origin}, state ${state.id}`).toBe(before);
          }
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe('SectorLineage limits', () => {
  it('says unknown (-2) for a log that writes past the sectors it covers, instead of indexing them', () => {
    const rec = new RecordingDevice(MemoryDevice.from(bytes(S, 1)));
    rec.write(2 ** 40, bytes(S, 2));
    const lineage = new SectorLineage(S, rec.ops, S);
    expect(lineage.lastChangeAtOrBefore(0, 0)).toBe(-2);
  });
});
