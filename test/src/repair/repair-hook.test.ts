import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isFormatError } from '../../../spec/format/format-error.js';
import { checkImage } from '../../../src/check/check-image.js';
import { dirtyOpenRepair } from '../../../src/repair/repair-hook.js';
import { MemoryDevice } from '../../../src/storage/memory-device.js';
import { tempDir } from '../../helpers/qemu.js';
import { checkDevice } from './device-image.js';
import { baseCopy, crashedLazy } from './repair-bases.js';

const tmp = tempDir('crashcow-repair-hook-');
afterAll(() => tmp.cleanup());

describe('dirtyOpenRepair (the engine hook, FEAT-1 / LAZY-5)', () => {
  it('repairs a crashed lazy-refcount image and clears its dirty bit', async () => {
    const p = tmp.path('dirty.qcow2');
    await baseCopy(crashedLazy, tmp.path, p);
    const dev = MemoryDevice.from(new Uint8Array(readFileSync(p)));
    expect(dev.read(79, 1)[0] & 1, 'the image is dirty').toBe(1);
    dirtyOpenRepair(checkImage)(dev, { mutants: [] });
    expect(dev.read(79, 1)[0] & 1).toBe(0);
    expect(checkDevice(dev).exitCode).toBe(0);
  });

  it('throws FormatError FEAT-1 when the image cannot be repaired', () => {
    const dev = MemoryDevice.from(new Uint8Array(4096).fill(7));
    let caught: unknown;
    try {
      dirtyOpenRepair(checkImage)(dev, { mutants: [] });
    } catch (err) {
      caught = err;
    }
    expect(isFormatError(caught) && caught.rule).toBe('FEAT-1');
  });
});
