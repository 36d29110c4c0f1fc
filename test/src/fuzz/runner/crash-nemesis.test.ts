/**
 * The crash nemesis chooses states only: within the crash's budget while every crash point can get
 * STATES_PER_POINT_MIN states; beyond that, a widened budget (capped) so late points are not starved.
 */
import { describe, expect, it } from 'vitest';
import type { StorageOp } from '../../../../spec/semantics/storage-contract.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { chooseCrashStates, STATES_PER_CRASH_CAP_FACTOR, STATES_PER_POINT_MIN } from '../../../../src/fuzz/runner/crash-nemesis.js';

const SIZE_BYTES = 64 * 512;
const write = (offsetBytes: number): StorageOp => ({ kind: 'write', offsetBytes, lengthBytes: 512, data: new Uint8Array(512).fill(1), fua: false, sizeBytesAfter: SIZE_BYTES });
const flush: StorageOp = { kind: 'flush', offsetBytes: 0, lengthBytes: 0, fua: false, sizeBytesAfter: SIZE_BYTES };

function opsWithFlushes(flushCount: number): StorageOp[] {
  const ops: StorageOp[] = [];
  for (let i = 0; i < flushCount; i++) ops.push(write(i * 512), flush);
  return ops;
}

describe('chooseCrashStates', () => {
  it('keeps the budget when every crash point gets its minimum', () => {
    const plan = chooseCrashStates(MemoryDevice.from(new Uint8Array(SIZE_BYTES)), opsWithFlushes(3), 64, 1);
    expect(plan.maxStates).toBe(64);
  });

  it('widens the budget for a crash with many crash points, at most by the cap factor', () => {
    const ops = opsWithFlushes(40);
    const plan = chooseCrashStates(MemoryDevice.from(new Uint8Array(SIZE_BYTES)), ops, 8, 1);
    const points = plan.crashPoints().length;
    expect(points * STATES_PER_POINT_MIN).toBeGreaterThan(8);
    expect(plan.maxStates).toBe(Math.min(STATES_PER_CRASH_CAP_FACTOR * 8, points * STATES_PER_POINT_MIN));
  });
});
