/**
 * Block devices behave like a plain byte array: MemoryDevice, CowDevice (over a non-empty lower
 * device, forked half way) and FileDevice, after every operation of random sequences, read exactly
 * what a naive model holds (BlockDevice rules: writes extend, discards stay below the size, reads
 * past the end are zeros, a shrink loses the tail).
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockDevice } from '../src/storage/block-device.js';
import { CowDevice } from '../src/storage/cow-device.js';
import { FileDevice } from '../src/storage/file-device.js';
import { MemoryDevice } from '../src/storage/memory-device.js';
import { tempDir } from '../test/helpers/qemu.js';
import { baseBytes, opPlanArb, PROPERTY_RUNS, type OpPlan } from '../test/src/storage/storage-arbitraries.js';

const tmp = tempDir('crashcow-devices-');
afterAll(() => tmp.cleanup());

/** The naive model: a byte array. */
function applyToModel(model: Uint8Array, p: OpPlan, ordinal: number): Uint8Array {
  const grow = (size: number): Uint8Array => {
    const out = new Uint8Array(size);
    out.set(model.subarray(0, Math.min(size, model.length)));
    return out;
  };
  if (p.kind === 'flush') return model;
  if (p.kind === 'truncate') return grow(p.sizeBytes);
  const end = p.offsetBytes + p.lengthBytes;
  if (p.kind === 'discard') {
    const out = model.slice();
    out.fill(0, Math.min(p.offsetBytes, out.length), Math.min(end, out.length));
    return out;
  }
  const out = grow(Math.max(model.length, end));
  if (p.kind === 'zeroes') out.fill(0, p.offsetBytes, end);
  else out.fill((p.fill + ordinal) & 0xff, p.offsetBytes, end);
  return out;
}

function applyToDevice(dev: BlockDevice, p: OpPlan, ordinal: number): void {
  if (p.kind === 'flush') dev.flush();
  else if (p.kind === 'truncate') dev.truncate(p.sizeBytes);
  else if (p.kind === 'discard') dev.discard(p.offsetBytes, p.lengthBytes);
  else if (p.kind === 'zeroes') dev.writeZeroes(p.offsetBytes, p.lengthBytes);
  else dev.write(p.offsetBytes, new Uint8Array(p.lengthBytes).fill((p.fill + ordinal) & 0xff), { fua: p.fua });
}

const devices: Record<string, (base: Uint8Array, run: number) => BlockDevice> = {
  memory: (base) => MemoryDevice.from(base, 1024),
  cow: (base) => new CowDevice(MemoryDevice.from(base), { pageSizeBytes: 512 }),
  file: (base, run) => {
    const path = tmp.path(`dev-${run}`);
    writeFileSync(path, base);
    return new FileDevice(path);
  },
};

describe.each(Object.keys(devices))('%s device', (name) => {
  it('matches a byte-array model after every operation', () => {
    let run = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.array(opPlanArb(6000), { maxLength: 12 }), (baseSize, plans) => {
        const base = baseBytes(baseSize);
        let dev = devices[name](base, run++);
        let model = base.slice();
        plans.forEach((p, ordinal) => {
          applyToDevice(dev, p, ordinal);
          model = applyToModel(model, p, ordinal);
          if (dev instanceof CowDevice && ordinal === Math.floor(plans.length / 2)) dev = dev.fork();
          expect(dev.sizeBytes).toBe(model.length);
          const got = dev.read(0, model.length + 100);
          expect(Buffer.from(got.subarray(0, model.length)).equals(model), `${name} after op ${ordinal}`).toBe(true);
          expect(got.subarray(model.length).every((b) => b === 0)).toBe(true);
        });
        if (dev instanceof FileDevice) dev.close();
      }),
      { numRuns: PROPERTY_RUNS, seed: 0xde01 },
    );
  });
});
