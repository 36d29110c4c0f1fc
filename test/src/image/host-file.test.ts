import { closeSync, openSync, writeSync, ftruncateSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HoleRun } from '../../../spec/semantics/layer.js';
import { openHostFile } from '../../../src/image/host-file.js';
import { tempDir } from '../../helpers/qemu.js';

const tmp = tempDir('crashcow-host-file-');
afterAll(() => tmp.cleanup());

/** A 4 MiB sparse file with 64 KiB of data at 1 MiB. */
function sparseFile(): string {
  const path = tmp.path('sparse.img');
  const fd = openSync(path, 'w');
  writeSync(fd, new Uint8Array(65536).fill(5), 0, 65536, 1 << 20);
  ftruncateSync(fd, 4 << 20);
  closeSync(fd);
  return path;
}

describe('openHostFile', () => {
  it('opens the file read-only with its allocated size, a power-of-two hole granularity and its name', () => {
    const opened = openHostFile(sparseFile(), 'disk');
    expect(opened.hostFile.name).toBe('disk');
    expect(opened.source.sizeBytes).toBe(4 << 20);
    expect(opened.source.read(1 << 20, 2)).toEqual(Uint8Array.of(5, 5));
    expect(opened.allocatedBytes).toBeGreaterThanOrEqual(65536);
    expect(opened.allocatedBytes).toBeLessThan(4 << 20);
    const g = opened.hostFile.holeGranularityBytes;
    expect(g & (g - 1)).toBe(0);
    opened.source.close();
  });

  it('finds the file system\'s holes when a probe first asks', () => {
    const opened = openHostFile(sparseFile(), 'disk');
    const holes = opened.hostFile.holes;
    expect(holes).toBeDefined();
    const run: HoleRun = { hole: false, lengthBytes: 0 };
    holes!.probe(0, 4 << 20, run);
    expect(run).toEqual({ hole: true, lengthBytes: 1 << 20 });
    holes!.probe(1 << 20, 4 << 20, run);
    expect(run.hole).toBe(false);
    opened.source.close();
  });

  it('throws the OS error of a missing file with its code', () => {
    expect(() => openHostFile(tmp.path('missing.img'), 'x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
