/**
 * The durability oracle against the storage contract: a raw "identity" disk (guest sector s is
 * file sector s, a test double, not an engine) is recorded while a workload runs; every crash
 * state the storage generator yields must satisfy P4 as the oracle states it (no false alarm), and
 * a state with one sector replaced by bytes from elsewhere must be caught, naming the origin.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RawLayer } from '../../../../spec/semantics/raw-layer.js';
import { SECTOR_SIZE_BYTES, writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { DurabilityOracle } from '../../../../src/fuzz/model/durability-oracle.js';
import type { FuzzOp } from '../../../../src/fuzz/model/fuzz-op.js';
import { GuestModel } from '../../../../src/fuzz/model/guest-model.js';
import { judgeGuestView } from '../../../../src/fuzz/model/judge-guest-view.js';
import type { BlockDevice } from '../../../../src/storage/block-device.js';
import { CowDevice } from '../../../../src/storage/cow-device.js';
import { CrashPlan } from '../../../../src/storage/crash-states/crash-plan.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';
import { toByteSource } from '../../../../src/storage/to-byte-source.js';

const DISK_BYTES = 16 * 1024;
const CLUSTER_BYTES = 2048;
const SEED = 99;

type PlannedOp = { kind: 'write' | 'write-zeroes' | 'discard'; offsetBytes: number; lengthBytes: number } | { kind: 'flush' };

const opArb: fc.Arbitrary<PlannedOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('write' as const, 'write' as const, 'write-zeroes' as const, 'discard' as const), offsetBytes: fc.integer({ min: 0, max: DISK_BYTES - 1 }), lengthBytes: fc.integer({ min: 1, max: 4096 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'flush' as const }) },
);

function clamp(p: PlannedOp): PlannedOp {
  if (p.kind === 'flush') return p;
  return { ...p, lengthBytes: Math.min(p.lengthBytes, DISK_BYTES - p.offsetBytes) };
}

/** Applies one op to the identity disk (discard: whole clusters only, like an engine). */
function applyRaw(dev: BlockDevice, op: FuzzOp): void {
  if (op.kind === 'write') dev.write(op.offsetBytes, writeContent(SEED, op.writeId, op.offsetBytes, op.lengthBytes));
  else if (op.kind === 'write-zeroes') dev.writeZeroes(op.offsetBytes, op.lengthBytes);
  else if (op.kind === 'discard') {
    const from = Math.ceil(op.offsetBytes / CLUSTER_BYTES) * CLUSTER_BYTES;
    const to = Math.floor((op.offsetBytes + op.lengthBytes) / CLUSTER_BYTES) * CLUSTER_BYTES;
    if (to > from) dev.discard(from, to - from);
  } else if (op.kind === 'flush') dev.flush();
}

function run(plans: PlannedOp[]) {
  const base = new MemoryDevice(DISK_BYTES);
  const rec = new RecordingDevice(new CowDevice(base));
  const model = new GuestModel({ virtualSizeBytes: DISK_BYTES, clusterSizeBytes: CLUSTER_BYTES, backingSizeBytes: 0 });
  const oracle = new DurabilityOracle(model);
  let writeId = 1;
  for (const p of plans.map(clamp)) {
    const op: FuzzOp = p.kind === 'write' ? { ...p, kind: 'write', writeId: writeId++ } : p.kind === 'flush' ? p : p.kind === 'discard' ? { ...p, kind: 'discard' } : { ...p, kind: 'write-zeroes', unmap: false };
    const startOp = rec.ops.length;
    applyRaw(rec, op);
    oracle.record(op, model.apply(op), startOp, rec.ops.length);
  }
  return { base, rec, oracle };
}

const layerOf = (dev: BlockDevice) => new RawLayer({ name: 'state', source: toByteSource(dev), holeGranularityBytes: 4096 });

describe('DurabilityOracle on an identity disk', () => {
  it('accepts every crash state the storage contract allows (P4 has no false alarms)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 14 }), fc.integer({ min: 0, max: 1000 }), (plans, seed) => {
        const { base, rec, oracle } = run(plans);
        const plan = new CrashPlan(base, rec.ops, { mode: 'flush-points', maxStates: 120, seed });
        for (const state of plan.states()) {
          const r = judgeGuestView(layerOf(state.view()), oracle.expectAt(state.crashPoint), SEED);
          expect(r.mismatch, `state ${state.id}`).toBeNull();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('catches a flushed sector replaced by another sector\'s bytes and names both writes', () => {
    const { base, rec, oracle } = run([
      { kind: 'write', offsetBytes: 0, lengthBytes: 1024 },
      { kind: 'write', offsetBytes: 4096, lengthBytes: 512 },
      { kind: 'flush' },
    ]);
    const plan = new CrashPlan(base, rec.ops);
    const state = [...plan.statesAt(rec.ops.length)][0];
    const dev = state.device();
    dev.write(4096, dev.read(512, 512));
    const r = judgeGuestView(layerOf(dev), oracle.expectAt(rec.ops.length), SEED);
    expect(r.mismatch).toMatchObject({ kind: 'sector', sectorIndex: 8, expected: ['2'] });
    expect(r.mismatch!.actual).toBe("write #1's bytes for guest offset 0x200 (stale bytes from another place)");
  });

  it('catches zeros where flushed data must be, and accepts them for an unflushed write', () => {
    const { base, rec, oracle } = run([{ kind: 'write', offsetBytes: 0, lengthBytes: 512 }, { kind: 'flush' }, { kind: 'write', offsetBytes: 512, lengthBytes: 512 }]);
    const dev = new CowDevice(base);
    expect(judgeGuestView(layerOf(dev), oracle.expectAt(rec.ops.length), SEED).mismatch).toMatchObject({ sectorIndex: 0, actual: 'zeros' });
    dev.write(0, writeContent(SEED, 1, 0, 512));
    expect(judgeGuestView(layerOf(dev), oracle.expectAt(rec.ops.length), SEED).mismatch).toBeNull();
    expect(oracle.expectAt(rec.ops.length).candidates(1)).toEqual(['z', '2']);
  });

  it('keeps a discarded cluster\'s old value, zeros and the base allowed', () => {
    const model = new GuestModel({ virtualSizeBytes: DISK_BYTES, clusterSizeBytes: CLUSTER_BYTES, backingSizeBytes: DISK_BYTES });
    model.apply({ kind: 'write', offsetBytes: 0, lengthBytes: 4096, writeId: 5 });
    model.apply({ kind: 'discard', offsetBytes: 100, lengthBytes: 4000 });
    expect(model.candidates(0)).toEqual(['5']);
    expect(model.candidates(4)).toEqual(['5', 'z', '0']);
    model.resolve(4, '0');
    expect(model.values.has(4)).toBe(false);
  });

  it('lets a discard that reaches the end take the partial last cluster of an unaligned disk', () => {
    const model = new GuestModel({ virtualSizeBytes: DISK_BYTES, clusterSizeBytes: CLUSTER_BYTES, backingSizeBytes: 0 });
    const size = 3 * CLUSTER_BYTES + 1024;
    model.apply({ kind: 'resize', sizeBytes: size });
    model.apply({ kind: 'write', offsetBytes: 2 * CLUSTER_BYTES, lengthBytes: CLUSTER_BYTES + 1024, writeId: 5 });
    const last = (3 * CLUSTER_BYTES) / 512;
    // Exactly up to the end of the disk: the partial cluster goes too. Short of the end: it stays.
    model.apply({ kind: 'discard', offsetBytes: 3 * CLUSTER_BYTES, lengthBytes: 512 });
    expect(model.candidates(last)).toEqual(['5']);
    model.apply({ kind: 'discard', offsetBytes: 2 * CLUSTER_BYTES, lengthBytes: size - 2 * CLUSTER_BYTES });
    expect(model.candidates(last)).toEqual(['5', 'z']);
    expect(model.candidates(last + 1)).toEqual(['5', 'z']);
  });
});
