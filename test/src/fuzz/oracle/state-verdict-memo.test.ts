import { describe, expect, it } from 'vitest';
import type { StorageOp } from '../../../../spec/semantics/storage-contract.js';
import { FixedBytes } from '../../../../src/fuzz/model/judge-guest-view.js';
import { stateVerdictMemo } from '../../../../src/fuzz/oracle/state-verdict-memo.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import type { CrashState } from '../../../../src/storage/crash-states/crash-state.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

const SECTOR = 512;
const FILE_SECTORS = 8;

/**
 * A log over 8 zeroed sectors: sector 1 written (A), a flush, then sector 2 written (B), sector 1
 * rewritten (C) and the file grown by sector 8 (D). Every write has bytes of its own.
 */
function plan(sectorSizeBytes = SECTOR): CrashPlan {
  const rec = new RecordingDevice(MemoryDevice.from(new Uint8Array(FILE_SECTORS * SECTOR)));
  rec.write(1 * SECTOR, new Uint8Array(SECTOR).fill(0xa1));
  rec.flush();
  rec.write(2 * SECTOR, new Uint8Array(SECTOR).fill(0xb2));
  rec.write(1 * SECTOR, new Uint8Array(SECTOR).fill(0xc3));
  rec.write(8 * SECTOR, new Uint8Array(SECTOR).fill(0xd4));
  return new CrashPlan(MemoryDevice.from(new Uint8Array(FILE_SECTORS * SECTOR)), rec.ops, { sectorSizeBytes });
}

/** Every state of every crash point of `p`. */
function allStates(p: CrashPlan): CrashState[] {
  return p.crashPoints().flatMap((k) => [...p.statesAt(k)]);
}

/** The memo key of guest sector `g` read from host sector `h` in `state` after `recoveryOps`. */
function keyOf(state: CrashState, h: number, recoveryOps: readonly StorageOp[] = [], g = h): number {
  const out = new Float64Array(1);
  stateVerdictMemo(state, recoveryOps).keysOf(g, h, 1, out);
  return out[0];
}

function hostSector(state: CrashState, h: number): string {
  return Buffer.from(state.view().read(h * SECTOR, SECTOR)).toString('hex');
}

/** Storage operations a recovery made, as recorded. */
function recoveryOps(act: (d: RecordingDevice) => void): readonly StorageOp[] {
  const rec = new RecordingDevice(new MemoryDevice(16 * SECTOR));
  act(rec);
  return rec.ops;
}

describe('stateVerdictMemo keys', () => {
  it('gives two states, at any crash point of one plan, equal keys for a host sector exactly when it holds equal bytes', () => {
    // Arrange
    const states = allStates(plan());
    // Act
    const rows = states.flatMap((s) => [0, 1, 2, 3].map((h) => ({ h, key: keyOf(s, h), bytes: hostSector(s, h) })));
    // Assert
    expect(states.length).toBeGreaterThan(4);
    for (const a of rows) {
      expect(a.key, `host sector ${a.h}`).toBeGreaterThanOrEqual(0);
      for (const b of rows) if (a.h === b.h) expect(a.key === b.key, `host sector ${a.h}: ${a.bytes.slice(0, 4)} vs ${b.bytes.slice(0, 4)}`).toBe(a.bytes === b.bytes);
    }
  });

  it('keys the same bytes in different host sectors differently', () => {
    const [state] = allStates(plan());
    expect(keyOf(state, 3)).not.toBe(keyOf(state, 4));
  });

  it('gives no key to a host sector that the recovery wrote, discarded or zeroed', () => {
    const [state] = allStates(plan());
    const ops = recoveryOps((d) => {
      d.write(1 * SECTOR + 100, new Uint8Array(10));
      d.discard(2 * SECTOR, SECTOR);
      d.writeZeroes(3 * SECTOR, SECTOR);
    });
    expect([1, 2, 3].map((h) => keyOf(state, h, ops))).toEqual([-1, -1, -1]);
    expect(keyOf(state, 4, ops)).toBeGreaterThanOrEqual(0);
  });

  it('gives no key from the sector a recovery truncated at onwards', () => {
    const [state] = allStates(plan());
    const ops = recoveryOps((d) => d.truncate(3 * SECTOR));
    expect([2, 3, 5].map((h) => keyOf(state, h, ops) >= 0)).toEqual([true, false, false]);
  });

  it('gives no key to a host sector past the end of the state', () => {
    const p = plan();
    const states = allStates(p);
    const short = states.find((s) => s.sizeBytes === FILE_SECTORS * SECTOR)!;
    const grown = states.find((s) => s.sizeBytes > FILE_SECTORS * SECTOR)!;
    expect(keyOf(short, 8)).toBe(-1);
    expect(keyOf(grown, 8)).toBeGreaterThanOrEqual(0);
  });

  it('gives no key with sectors other than 512 bytes, nor for guest sectors from 2^16 on', () => {
    const [big] = allStates(plan(4096));
    const [state] = allStates(plan());
    expect(keyOf(big, 0)).toBe(-1);
    expect(keyOf(state, 1, [], 1 << 16)).toBe(-1);
    expect(keyOf(state, 1, [], (1 << 16) - 1)).toBeGreaterThanOrEqual(0);
  });

  it('keys fixed bytes alike in every state, apart from host sectors and from each other', () => {
    const states = allStates(plan());
    const fixed = (s: CrashState, b: FixedBytes, g = 5): number => stateVerdictMemo(s, []).keyOfFixed(g, b);
    const zeros = fixed(states[0], FixedBytes.zeros);
    const below = fixed(states[0], FixedBytes.below);
    expect(states.every((s) => fixed(s, FixedBytes.zeros) === zeros && fixed(s, FixedBytes.below) === below)).toBe(true);
    expect(zeros).not.toBe(below);
    const hostKeys = states.flatMap((s) => [0, 1, 2, 3, 4].map((h) => keyOf(s, h)));
    expect(hostKeys).not.toContain(zeros);
    expect(hostKeys).not.toContain(below);
    expect(fixed(states[0], FixedBytes.zeros, 1 << 16)).toBe(-1);
  });
});

describe('stateVerdictMemo verdicts', () => {
  it('shares one table of verdicts per view between the states of a plan, across its crash points', () => {
    // Arrange
    const p = plan();
    const states = allStates(p);
    const points = new Set(states.map((s) => s.crashPoint));
    // Act
    const tables = new Set(states.map((s) => stateVerdictMemo(s, []).passed));
    // Assert
    expect(points.size).toBeGreaterThan(1);
    expect(tables.size).toBe(1);
  });

  it('keeps another plan\'s verdicts and another view\'s apart', () => {
    const [a] = allStates(plan());
    const [b] = allStates(plan());
    const memo = stateVerdictMemo(a, []);
    expect(stateVerdictMemo(b, []).passed).not.toBe(memo.passed);
    expect(memo.forView('snapshot s1').passed).not.toBe(memo.passed);
    expect(memo.forView('snapshot s1').passed).toBe(stateVerdictMemo(a, []).forView('snapshot s1').passed);
  });
});
