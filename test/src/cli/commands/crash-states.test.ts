import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLog } from '../../../../src/storage/dm-log-writes/encode-log.js';
import { LogFlag } from '../../../../src/storage/dm-log-writes/log-format.js';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-cli-states-');
afterAll(() => tmp.cleanup());

const image = tmp.path('start.raw');
writeFileSync(image, new Uint8Array(2048).fill(1));
const log = tmp.path('log.bin');
writeFileSync(
  log,
  encodeLog(
    [
      { flags: 0, targetOffsetBytes: 0, lengthBytes: 1024, data: new Uint8Array(1024).fill(2) },
      { flags: LogFlag.flush, targetOffsetBytes: 0, lengthBytes: 0 },
      { flags: 0, targetOffsetBytes: 1024, lengthBytes: 2048, data: new Uint8Array(2048).fill(3) },
    ],
    512,
  ),
);

describe('crashcow crash-states', () => {
  it('writes every state of a small log, named after the image extension, and an index', async () => {
    const dir = tmp.path('all');
    const r = await crashcow(['crash-states', '--log', log, '--image', image, '--out', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    // Crash before the flush: 2 sectors x 2 contents. At the end: sectors 2..5 (1 or 2 contents
    // inside 2048, or 3 past it) -> size 3072: 2*2*2*2 = 16, size 2048: 2*2 = 4. One state of the
    // first point (all written) equals the end's "nothing since the flush" state.
    expect(index.crashPoints.map((p: { stateCount: number }) => p.stateCount)).toEqual([4, 20]);
    expect(index.states).toHaveLength(23);
    expect(index.duplicatesSkipped).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.raw'))).toHaveLength(23);
  });

  it('--max caps the states and --mode flush-points crashes around flushes', async () => {
    const dir = tmp.path('capped');
    const r = await crashcow(['crash-states', '--log', log, '--image', image, '--out', dir, '--max', '5', '--mode', 'flush-points', '--sector', '4096']);
    expect(r.exitCode, r.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.crashPoints.map((p: { opIndex: number }) => p.opIndex)).toEqual([1, 2]);
    expect(index.sectorSizeBytes).toBe(4096);
    expect(index.states.length).toBeLessThanOrEqual(5);
  });

  it.each([
    [['--max', '0'], /--max must be at least 1/],
    [['--sector', '1024'], /--sector must be one of 512, 4096/],
    [['--mode', 'all'], /--mode must be one of/],
    [['--seed', '99999999999'], /--seed must fit in 32 bits/],
  ])('a user mistake exits 2: %j', async (extra, message) => {
    const r = await crashcow(['crash-states', '--log', log, '--image', image, '--out', tmp.path('x'), ...extra]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a malformed log exits 1 naming the rule, without a stack trace', async () => {
    const bad = tmp.path('short.bin');
    writeFileSync(bad, readFileSync(log).subarray(0, 1700));
    const r = await crashcow(['crash-states', '--log', bad, '--image', image, '--out', tmp.path('y')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/LOG-ENTRY-COUNT|LOG-ENTRY-BOUNDS/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
