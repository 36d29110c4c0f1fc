import { describe, expect, it } from 'vitest';
import { shrinkSurvivors, type StateJudge } from '../../../../src/fuzz/shrink/shrink-survivors.js';
import type { Violation } from '../../../../src/fuzz/violation.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import type { CrashState } from '../../../../src/storage/crash-states/crash-state.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const SECTOR = 512;
const CULPRIT = 0xc5;

/**
 * One unflushed epoch over 16 zeroed sectors: six writes of two sectors each (fills 1..6), the
 * fourth of them, fill CULPRIT, at sectors 6-7, plus a write that grows the file.
 */
function plan(): { plan: CrashPlan; crashPoint: number } {
  const rec = new RecordingDevice(MemoryDevice.from(new Uint8Array(16 * SECTOR)));
  for (let i = 0; i < 6; i++) rec.write(i * 2 * SECTOR, new Uint8Array(2 * SECTOR).fill(i === 3 ? CULPRIT : i + 1));
  rec.write(16 * SECTOR, new Uint8Array(SECTOR).fill(9));
  return { plan: new CrashPlan(MemoryDevice.from(new Uint8Array(16 * SECTOR)), rec.ops), crashPoint: rec.ops.length };
}

const violation = (property: Violation['property'] = 'P1'): Violation => ({ property, rules: ['RC-6'], summary: 'test', stage: 'test', expected: '', actual: '' });

/** Breaks P1 while sector 7 holds the culprit's bytes (the bug a write order would make). */
const culpritJudge: StateJudge = async (s) => (s.view().read(7 * SECTOR, 1)[0] === CULPRIT ? violation() : null);

/** The state in which every operation landed whole (code 0 everywhere, latest size). */
function everythingLanded(p: CrashPlan, crashPoint: number): CrashState {
  return [...p.statesAt(crashPoint, 1 << 20)].find((s) => s.codes.every((c) => c === 0) && s.sizeCode === 0)!;
}

describe('shrinkSurvivors', () => {
  it('drops every write but the one the violation needs, and the file growth', async () => {
    // Arrange
    const { plan: p, crashPoint } = plan();
    const start = everythingLanded(p, crashPoint);
    // Act
    const shrunk = await shrinkSurvivors(start, violation(), culpritJudge);
    // Assert
    const bytes = shrunk.state.view().read(0, shrunk.state.sizeBytes);
    const nonZeroSectors = Array.from({ length: bytes.length / SECTOR }, (_, s) => s).filter((s) => bytes[s * SECTOR] !== 0);
    expect(nonZeroSectors).toEqual([7]);
    expect(shrunk.state.sizeBytes).toBe(16 * SECTOR);
    expect(shrunk.violation.property).toBe('P1');
    expect(shrunk.attempts).toBeGreaterThan(0);
  });

  it('keeps a smaller state only when the same property still breaks', async () => {
    const { plan: p, crashPoint } = plan();
    const start = everythingLanded(p, crashPoint);
    const otherProperty: StateJudge = async (s) => (s.id === start.id ? violation('P1') : violation('P4'));
    const shrunk = await shrinkSurvivors(start, violation('P1'), otherProperty);
    expect(shrunk.state.id).toBe(start.id);
    expect(shrunk.attempts).toBeGreaterThan(0);
  });

  it('judges no more candidates than its budget, and none twice', async () => {
    const { plan: p, crashPoint } = plan();
    const seen: string[] = [];
    const counting: StateJudge = async (s) => {
      seen.push(s.id);
      return culpritJudge(s);
    };
    const shrunk = await shrinkSurvivors(everythingLanded(p, crashPoint), violation(), counting, 3);
    expect(seen.length).toBe(3);
    expect(shrunk.attempts).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
