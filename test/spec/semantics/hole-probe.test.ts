/**
 * The content fallback of the hole probe: file-system blocks of zeros are holes, so is everything
 * past the end of the file; a data run stops at the end of the file. A HostFile's own hole map,
 * when present, is used instead.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../spec/format/byte-source.js';
import { probeHole } from '../../../spec/semantics/hole-probe.js';
import type { HoleRun, HostFile } from '../../../spec/semantics/layer.js';

function file(bytes: Uint8Array, extra: Partial<HostFile> = {}): HostFile {
  return { name: 'f', source: bytesSource(bytes), holeGranularityBytes: 4096, ...extra };
}

function probe(f: HostFile, offset: number, max: number): HoleRun {
  const out: HoleRun = { hole: false, lengthBytes: 0 };
  probeHole(f, offset, max, out);
  return out;
}

describe('probeHole from content', () => {
  const bytes = new Uint8Array(5 * 4096 + 100);
  bytes[4096 + 17] = 1; // block 1 is data
  bytes[2 * 4096] = 1; // block 2 is data
  bytes[5 * 4096 + 99] = 1; // the partial last block is data

  it.each([
    [0, 1 << 20, true, 4096],
    [100, 50, true, 50],
    [4096, 1 << 20, false, 8192],
    [5000, 1 << 20, false, 8192 - 904],
    [3 * 4096, 1 << 20, true, 8192],
    [5 * 4096, 1 << 20, false, 100],
    [5 * 4096 + 100, 4096, true, 4096],
    [1 << 30, 512, true, 512],
  ])('at %i (max %i): hole %s for %i bytes', (offset, max, hole, length) => {
    expect(probe(file(bytes), offset, max)).toEqual({ hole, lengthBytes: length });
  });

  it('a trailing hole runs on past the end of the file', () => {
    const zeros = new Uint8Array(3 * 4096);
    expect(probe(file(zeros), 4096, 1 << 20)).toEqual({ hole: true, lengthBytes: 1 << 20 });
  });
});

describe('probeHole with a hole map', () => {
  it('asks the map and reads nothing', () => {
    let reads = 0;
    const source = { sizeBytes: 1 << 20, read: () => (reads++, new Uint8Array(0)) };
    const holes = { probe: (_o: number, _m: number, out: HoleRun) => Object.assign(out, { hole: false, lengthBytes: 3 }) };
    expect(probe({ name: 'm', source, holeGranularityBytes: 4096, holes }, 0, 100)).toEqual({ hole: false, lengthBytes: 3 });
    expect(reads).toBe(0);
  });
});
