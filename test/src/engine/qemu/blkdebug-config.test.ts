/**
 * blkdebugConfig: the rules that fail the n-th write (or the flush after the n-th event) reach
 * QEMU's blkdebug between qcow2 and blklogwrites: with request n, the writes logged before the
 * failure are the first n-1 writes of the same run without a fault, and nothing after them in
 * once mode fails again; in dead mode every later write fails too.
 */
import { statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { blkdebugConfig, errnoNumber, type BlkdebugFault } from '../../../../src/engine/qemu/blkdebug-config.js';
import { imageOptsOf } from '../../../../src/engine/qemu/qemu-open-spec.js';
import { LogReader } from '../../../../src/fuzz/target/log-reader.js';
import { qemuImgOk, qemuRun, tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-blkdebug-');
afterAll(() => tmp.cleanup());

const WRITES: BlkdebugFault = { event: 'pwritev', request: 2, errno: 'ENOSPC', mode: 'once', iotype: 'write' };

/** Runs qemu-io commands on a fresh image with `fault` (or none); the log's writes and the output. */
async function run(name: string, fault: BlkdebugFault | null, commands: string[]): Promise<{ writes: number[]; out: string }> {
  const image = tmp.path(`${name}.qcow2`);
  const log = tmp.path(`${name}.log`);
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', image, '1M']);
  writeFileSync(log, '');
  let config: string | undefined;
  if (fault) writeFileSync((config = tmp.path(`${name}.ini`)), blkdebugConfig(fault));
  const size = statSync(image).size;
  const r = await qemuRun('qemu-io', ['-t', 'writethrough', '--image-opts', imageOptsOf({ imagePath: image, logPath: log, cacheMode: 'writethrough', blkdebugConfig: config }), ...commands.flatMap((c) => ['-c', c])]);
  const reader = new LogReader(log, size);
  reader.sync();
  return { writes: reader.ops.filter((o) => o.kind === 'write' || o.kind === 'zeroes').map((o) => o.offsetBytes), out: r.stdout + r.stderr };
}

describe('blkdebugConfig', () => {
  it('counts the event with set-state rules and fails the request at the n-th one', () => {
    const text = blkdebugConfig(WRITES);
    expect(text).toContain('[set-state]\nevent = "pwritev"\nstate = "1"\nnew_state = "2"\n');
    expect(text).toContain('[inject-error]\nevent = "pwritev"\nstate = "2"\niotype = "write"\nerrno = "28"\nonce = "on"\n');
    expect(text).toContain('[inject-error]\nevent = "pwritev_zero"\nstate = "2"\niotype = "write-zeroes"');
    expect(text).toContain('[inject-error]\nevent = "pwritev"\nstate = "3"\nerrno = "0"\n');
    const dead = blkdebugConfig({ ...WRITES, event: 'l2_update', mode: 'dead' });
    expect(dead).not.toContain('pwritev');
    for (const t of ['write', 'write-zeroes', 'discard', 'flush']) expect(dead).toContain(`iotype = "${t}"\nerrno = "28"\n`);
    expect(dead).not.toContain('once');
    expect(blkdebugConfig({ ...WRITES, iotype: 'flush' })).not.toContain('errno = "0"');
    expect(errnoNumber('EIO')).toBe(5);
    expect(() => blkdebugConfig({ ...WRITES, request: 0 })).toThrow(RangeError);
  });

  it('fails exactly the n-th write: the writes before it are those of a run without a fault', async () => {
    const cmds = ['write -P 1 0 4k', 'write -P 2 64k 4k'];
    const clean = await run('clean', null, cmds);
    expect(clean.writes.length).toBeGreaterThan(3);
    for (const n of [1, 2, 3]) {
      const r = await run(`once${n}`, { ...WRITES, request: n }, cmds);
      expect(r.out).toMatch(/write failed: No space left on device/);
      expect(r.out).toMatch(/wrote 4096\/4096 bytes at offset 65536/);
      expect(r.writes.slice(0, n - 1)).toEqual(clean.writes.slice(0, n - 1));
    }
  });

  it('dead: every later write fails too, until the image is closed', async () => {
    const r = await run('dead', { ...WRITES, mode: 'dead' }, ['write -P 1 0 4k', 'write -P 2 64k 4k']);
    expect(r.out.match(/write failed/g)).toHaveLength(2);
    expect(r.writes).toHaveLength(1);
  });
});
