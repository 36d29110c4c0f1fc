/**
 * fast-check arbitraries for storage properties: small files and operation lists that exercise
 * every operation kind, unaligned ranges, FUA, growth and shrinks. Shared by properties/storage-*.
 */
import fc from 'fast-check';
import type { StorageOp } from '../../../spec/semantics/storage-contract.js';
import { applyOp } from '../../../src/storage/apply-op.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../src/storage/recording-device.js';

/** Runs per property: small in CI, more with CRASHCOW_PROPERTY_RUNS. */
export const PROPERTY_RUNS = Number(process.env.CRASHCOW_PROPERTY_RUNS ?? 40);

/** An operation to perform, before it is recorded. */
export type OpPlan =
  | { kind: 'write'; offsetBytes: number; lengthBytes: number; fill: number; fua: boolean }
  | { kind: 'zeroes' | 'discard'; offsetBytes: number; lengthBytes: number }
  | { kind: 'flush' }
  | { kind: 'truncate'; sizeBytes: number };

/**
 * Operation plans within `spanBytes`; `align` rounds offsets and lengths to that many bytes,
 * lengths are at most a third of the span unless `maxLengthUnits` (in units of `align`) says otherwise.
 */
export function opPlanArb(spanBytes: number, align = 1, fuaRate = 0.1, maxLengthUnits = Math.max(1, Math.floor(spanBytes / align / 3))): fc.Arbitrary<OpPlan> {
  const offset = fc.integer({ min: 0, max: Math.floor(spanBytes / align) - 1 }).map((n) => n * align);
  const length = fc.integer({ min: 1, max: maxLengthUnits }).map((n) => n * align);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), offsetBytes: offset, lengthBytes: length, fill: fc.integer({ min: 1, max: 255 }), fua: fc.integer({ min: 0, max: 99 }).map((n) => n < fuaRate * 100) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('zeroes' as const, 'discard' as const), offsetBytes: offset, lengthBytes: length }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'flush' as const }) },
    { weight: 1, arbitrary: offset.map((sizeBytes) => ({ kind: 'truncate' as const, sizeBytes })) },
  );
}

/** Distinct bytes per write, so different writes never look alike by accident. */
function writeData(plan: Extract<OpPlan, { kind: 'write' }>, ordinal: number): Uint8Array {
  return new Uint8Array(plan.lengthBytes).map((_, i) => (plan.fill + ordinal * 31 + (i >> 7)) & 0xff || 1);
}

/** Performs the plans on a recording device over a copy of `base`; returns the recorded ops. */
export function record(base: Uint8Array, plans: readonly OpPlan[]): StorageOp[] {
  const rec = new RecordingDevice(MemoryDevice.from(base));
  plans.forEach((p, ordinal) => {
    if (p.kind === 'write') rec.write(p.offsetBytes, writeData(p, ordinal), { fua: p.fua });
    else if (p.kind === 'zeroes') rec.writeZeroes(p.offsetBytes, p.lengthBytes);
    else if (p.kind === 'discard') rec.discard(p.offsetBytes, p.lengthBytes);
    else if (p.kind === 'flush') rec.flush();
    else rec.truncate(p.sizeBytes);
  });
  return [...rec.ops];
}

/** A base file of `sizeBytes` with a recognizable non-zero pattern. */
export function baseBytes(sizeBytes: number): Uint8Array {
  return new Uint8Array(sizeBytes).map((_, i) => 0x80 | ((i >> 5) & 0x7f));
}

/** The file after ops[0, count) applied in order (a naive replay). */
export function replayed(base: Uint8Array, ops: readonly StorageOp[], count: number): MemoryDevice {
  const dev = MemoryDevice.from(base);
  for (let i = 0; i < count; i++) applyOp(dev, ops[i]);
  return dev;
}
