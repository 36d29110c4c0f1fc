import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLog } from '../../../../src/storage/dm-log-writes/encode-log.js';
import { LogFlag } from '../../../../src/storage/dm-log-writes/log-format.js';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-cli-replay-');
afterAll(() => tmp.cleanup());

const image = tmp.path('start.img');
writeFileSync(image, new Uint8Array(4096).fill(1));
const log = tmp.path('log.bin');
writeFileSync(log, encodeLog([{ flags: 0, targetOffsetBytes: 512, lengthBytes: 512, data: new Uint8Array(512).fill(2) }, { flags: LogFlag.flush, targetOffsetBytes: 0, lengthBytes: 0 }], 512));

describe('crashcow replay-log: mistakes and malformed logs', () => {
  it.each([
    [['--image', image, '--out', tmp.path('o')], /--log is required/],
    [['--log', log, '--image', image, '--out', tmp.path('o'), '--to', '2'], /--to 2, but the log has 2 entries \(0\.\.1\)/],
    [['--log', log, '--image', image, '--out', image], /--out must differ/],
    [['--log', log, '--image', image, '--out', tmp.path('o'), '--to', 'x'], /non-negative integer/],
    [['--log', log, '--image', image, '--out', tmp.path('o'), 'extra'], /unexpected argument/],
  ])('a user mistake exits 2 with the usage: %j', async (args, message) => {
    const r = await crashcow(['replay-log', ...args]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: crashcow replay-log/);
  });

  it('a malformed log exits 1 naming the rule, without a stack trace', async () => {
    const bad = tmp.path('bad.bin');
    writeFileSync(bad, new Uint8Array(1024).fill(0x41));
    const r = await crashcow(['replay-log', '--log', bad, '--image', image, '--out', tmp.path('o')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/LOG-MAGIC/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing image exits 1 with one line', async () => {
    const r = await crashcow(['replay-log', '--log', log, '--image', tmp.path('nope.img'), '--out', tmp.path('o')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('replays up to --to inclusive', async () => {
    const r = await crashcow(['replay-log', '--log', log, '--image', image, '--out', tmp.path('o'), '--to', '0']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/replayed entries 0\.\.0 of 2 \(1 operations\)/);
  });
});
