import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { imageOptsOf, openCommandOf } from '../../../../src/engine/qemu/qemu-open-spec.js';
import { execa } from 'execa';
import { join } from 'node:path';
import { buildOrSkip, qemuBuilds } from '../../../helpers/qemu-builds.js';
import { qemuImgOk, qemuIo, qemuRun, tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-open-spec-');
afterAll(() => tmp.cleanup());

describe('QemuOpenSpec', () => {
  it('doubles commas in file names, as QEMU\'s option syntax wants', () => {
    expect(imageOptsOf({ imagePath: '/a,b/c.qcow2', cacheMode: 'writeback' })).toBe('driver=qcow2,file.filename=/a,,b/c.qcow2');
  });

  it('opens a plain image that qemu-io then reads and writes', async () => {
    // Arrange
    const path = tmp.path('plain,comma.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '1M']);
    // Act
    const out = await qemuIo(imageOptsOf({ imagePath: path, cacheMode: 'writethrough' }), ['write -P 7 0 4k', 'read -P 7 0 4k'], { imageOpts: true });
    // Assert
    expect(out).toMatch(/read 4096\/4096 bytes/);
  });

  it('logs the writes through blklogwrites, appending on a later open', async () => {
    const path = tmp.path('logged.qcow2');
    const log = tmp.path('logged.log');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '1M']);
    writeFileSync(log, '');
    await qemuIo(imageOptsOf({ imagePath: path, logPath: log, cacheMode: 'writeback' }), ['write -P 1 0 4k', 'flush'], { imageOpts: true });
    const first = statSync(log).size;
    await qemuIo(imageOptsOf({ imagePath: path, logPath: log, logAppend: true, cacheMode: 'writeback' }), ['write -P 2 64k 4k', 'flush'], { imageOpts: true });
    expect(first).toBeGreaterThan(0);
    expect(statSync(log).size).toBeGreaterThan(first);
    expect(imageOptsOf({ imagePath: path, logPath: log, logAppend: true, cacheMode: 'none' })).toContain('file.log-append=on');
  });

  it('puts blkdebug between qcow2 and the file (and blklogwrites) when a config is given', async () => {
    expect(imageOptsOf({ imagePath: 'x.qcow2', cacheMode: 'none', blkdebugConfig: 'f,1.ini' })).toBe('driver=qcow2,file.driver=blkdebug,file.config=f,,1.ini,file.image.filename=x.qcow2');
    const path = tmp.path('debugged.qcow2');
    const log = tmp.path('debugged.log');
    const config = tmp.path('debugged.ini');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '1M']);
    writeFileSync(log, '');
    writeFileSync(config, '[inject-error]\nevent = "l2_update"\nerrno = "5"\nonce = "on"\n');
    const opts = imageOptsOf({ imagePath: path, logPath: log, cacheMode: 'writethrough', blkdebugConfig: config });
    expect(opts).toContain('file.image.driver=blklogwrites,file.image.file.filename=');
    const r = await qemuRun('qemu-io', ['--image-opts', opts, '-c', 'write -P 1 0 4k', '-c', 'write -P 2 64k 4k']);
    const out = r.stdout + r.stderr;
    expect(r.exitCode).toBe(1);
    expect(out).toMatch(/write failed: Input\/output error/);
    expect(out).toMatch(/wrote 4096\/4096 bytes at offset 65536/);
    expect(statSync(log).size).toBeGreaterThan(0);
  });

  it('builds the open command with the cache mode and read-only flag', () => {
    expect(openCommandOf({ imagePath: 'x.qcow2', cacheMode: 'none', readOnly: true })).toBe('open -r -t none -o driver=qcow2,file.filename=x.qcow2');
    expect(openCommandOf({ imagePath: 'x.qcow2', cacheMode: 'writeback' })).toBe('open -t writeback -o driver=qcow2,file.filename=x.qcow2');
  });
});

describe.each(qemuBuilds())('qcow2 cache sizes on $label', (b) => {
  it('accepts l2-cache-size and refcount-cache-size in qemu-io and qemu-img, and small caches write tables back between flushes', async ({ skip }) => {
    const build = buildOrSkip(b, skip);
    if (!build) return;
    expect(imageOptsOf({ imagePath: 'x.qcow2', cacheMode: 'none', l2CacheSizeBytes: 4096, refcountCacheSizeBytes: 8192 })).toBe('driver=qcow2,l2-cache-size=4096,refcount-cache-size=8192,file.filename=x.qcow2');
    // 48 writes over 16 L2 tables of 1 KiB clusters (each covers 128 KiB), no flush between them.
    const writes = [1, 2, 3].flatMap((r) => Array.from({ length: 16 }, (_, k) => `write -P ${r} ${k * 40 * 128 * 1024 + r * 1024} 1k`));
    const entries: number[] = [];
    for (const small of [false, true]) {
      const image = tmp.path(`cache-${small}-${build.versionKey}.qcow2`);
      const log = tmp.path(`cache-${small}-${build.versionKey}.log`);
      await execa(join(build.dir, 'qemu-img'), ['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=1024', image, '1G']);
      writeFileSync(log, '');
      const spec = { imagePath: image, logPath: log, cacheMode: 'writeback' as const, ...(small ? { l2CacheSizeBytes: 4096, refcountCacheSizeBytes: 4096 } : {}) };
      const io = await execa(join(build.dir, 'qemu-io'), ['-c', openCommandOf(spec), ...writes.flatMap((w) => ['-c', w]), '-c', 'close'], { reject: false });
      expect(io.stdout + io.stderr).not.toMatch(/error|invalid|unsupported/i);
      const check = await execa(join(build.dir, 'qemu-img'), ['check', '--image-opts', imageOptsOf({ imagePath: image, cacheMode: 'writeback', l2CacheSizeBytes: 4096, refcountCacheSizeBytes: 4096 })], { reject: false });
      expect(check.exitCode, check.stderr).toBe(0);
      // The log's super: the entry count at bytes 16-23 (little-endian).
      entries.push(Number(Buffer.from(readFileSync(log)).readBigUInt64LE(16)));
    }
    expect(entries[1], 'evicted L2 tables and refcount blocks are written back, more often than with the default caches').toBeGreaterThan(entries[0]);
  });
});

