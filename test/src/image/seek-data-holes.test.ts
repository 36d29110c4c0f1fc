/**
 * The file system's hole map (SEEK_DATA / SEEK_HOLE through perl) and the extent lookup it feeds.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HoleRun } from '../../../spec/semantics/layer.js';
import { ExtentHoleMap, seekDataHoleMap } from '../../../src/image/seek-data-holes.js';
import { tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-holes-');
afterAll(() => tmp.cleanup());

function probe(map: { probe(o: number, l: number, out: HoleRun): void }, offset: number, length: number): HoleRun {
  const out: HoleRun = { hole: false, lengthBytes: 0 };
  map.probe(offset, length, out);
  return out;
}

describe('ExtentHoleMap', () => {
  const map = new ExtentHoleMap(Float64Array.from([4096, 8192, 65536, 70000]));

  it.each([
    [0, 100000, true, 4096],
    [4096, 100000, false, 4096],
    [5000, 1000, false, 1000],
    [8191, 10, false, 1],
    [8192, 100000, true, 57344],
    [69999, 5, false, 1],
    [70000, 10, true, 10],
    [1 << 30, 4096, true, 4096],
  ])('at %i (max %i): hole %s for %i bytes', (offset, max, hole, length) => {
    expect(probe(map, offset, max)).toEqual({ hole, lengthBytes: length });
  });
});

describe('seekDataHoleMap', () => {
  it('sees the data a sparse file holds and the holes around it', () => {
    const path = tmp.path('sparse.bin');
    const fd = openSync(path, 'w');
    writeSync(fd, Buffer.alloc(4096, 0x77), 0, 4096, 1 << 20);
    writeSync(fd, Buffer.alloc(4096, 0), 0, 4096, 2 << 20); // explicit zeros: data to the file system
    ftruncateSync(fd, 4 << 20);
    closeSync(fd);
    const map = seekDataHoleMap(path);
    expect(map, 'perl and SEEK_DATA available').not.toBeNull();
    expect(probe(map!, 0, 4 << 20)).toEqual({ hole: true, lengthBytes: 1 << 20 });
    expect(probe(map!, 1 << 20, 4 << 20)).toEqual({ hole: false, lengthBytes: 4096 });
    expect(probe(map!, 2 << 20, 4096)).toEqual({ hole: false, lengthBytes: 4096 });
    expect(probe(map!, 3 << 20, 1 << 20)).toEqual({ hole: true, lengthBytes: 1 << 20 });
  });

  it('returns null for a file it cannot open', () => {
    expect(seekDataHoleMap(tmp.path('missing.bin'))).toBeNull();
  });
});
