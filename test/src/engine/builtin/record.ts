/**
 * Test helper: runs `setup` on an in-memory image, then reopens it over a RecordingDevice and runs
 * `act`, returning the recorded operations and the engine state, so a test can assert the order in
 * which metadata reached the device.
 */
import type { StorageOp } from '../../../../spec/semantics/storage-contract.js';
import { BuiltinEngine } from '../../../../src/engine/builtin/builtin-engine.js';
import type { BuiltinImage } from '../../../../src/engine/builtin/builtin-image.js';
import type { Qcow2Image } from '../../../../src/engine/builtin/qcow2-image.js';
import type { CacheMode, CreateOptions } from '../../../../src/engine/engine.js';
import type { MutantName } from '../../../../src/engine/mutants.js';
import { MemoryDevice } from '../../../../src/storage/memory-device.js';
import { RecordingDevice } from '../../../../src/storage/recording-device.js';

export interface Recorded {
  ops: readonly StorageOp[];
  image: Qcow2Image;
  device: MemoryDevice;
}

export interface RecordSpec {
  create?: CreateOptions;
  cacheMode?: CacheMode;
  mutants?: MutantName[];
  setup?: (image: Qcow2Image) => void;
  act: (image: Qcow2Image) => void;
}

const engine = new BuiltinEngine();

export async function record(spec: RecordSpec): Promise<Recorded> {
  const device = new MemoryDevice();
  await engine.create({ device }, { virtualSizeBytes: 8 << 20, ...spec.create });
  if (spec.setup) {
    const first = (await engine.open({ device }, { cacheMode: spec.cacheMode ?? 'writeback' })) as BuiltinImage;
    spec.setup(first.sync);
    first.sync.close();
  }
  const recording = new RecordingDevice(device);
  const opened = (await engine.open({ device: recording }, { cacheMode: spec.cacheMode ?? 'writeback', mutants: spec.mutants ?? [] })) as BuiltinImage;
  spec.act(opened.sync);
  return { ops: recording.ops, image: opened.sync, device };
}

/** True when `op` writes any byte of [offsetBytes, offsetBytes + lengthBytes). */
export function touches(op: StorageOp, offsetBytes: number, lengthBytes: number): boolean {
  return (op.kind === 'write' || op.kind === 'zeroes') && op.offsetBytes < offsetBytes + lengthBytes && offsetBytes < op.offsetBytes + op.lengthBytes;
}

/** Index of the first op at or after `from` matching `pred`, or -1. */
export function findOp(ops: readonly StorageOp[], pred: (op: StorageOp) => boolean, from = 0): number {
  for (let i = from; i < ops.length; i++) if (pred(ops[i])) return i;
  return -1;
}

/** True when a flush lies strictly between indexes `a` and `b`. */
export function flushBetween(ops: readonly StorageOp[], a: number, b: number): boolean {
  for (let i = a + 1; i < b; i++) if (ops[i].kind === 'flush') return true;
  return false;
}

/** `first` happened (some op matching it), then a flush, then the first op matching `then`. */
export function durableBefore(ops: readonly StorageOp[], first: (op: StorageOp) => boolean, then: (op: StorageOp) => boolean): boolean {
  const b = findOp(ops, then);
  if (b < 0) return false;
  let a = -1;
  for (let i = 0; i < b; i++) if (first(ops[i])) a = i;
  return a >= 0 && flushBetween(ops, a, b);
}
