/**
 * The QEMU engine reads qemu-io's output (failure lines, whether an open left an image open,
 * `read -v` hex dumps): checked on the output of every QEMU build the machine has
 * (test/helpers/qemu-builds.ts), since the engine runs on each of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import { resolveQemuBinaries } from '../../../../src/engine/qemu/qemu-binaries.js';
import { QemuIoProcess } from '../../../../src/engine/qemu/qemu-io-process.js';
import { openCommandOf } from '../../../../src/engine/qemu/qemu-open-spec.js';
import { OPEN_PROBE, parseHexDump, throwIfFailed, throwIfOpenFailed } from '../../../../src/engine/qemu/qemu-output.js';
import { buildOrSkip, qemuBuilds } from '../../../helpers/qemu-builds.js';
import { qemuTools, tempDir, type QemuTools } from '../../../helpers/qemu.js';
import { makeStaleReftableImage } from '../../../helpers/stale-reftable-image.js';

describe.each(qemuBuilds())('qemu-io output of $label', (b) => {
  const tmp = tempDir('crashcow-qemu-output-');
  const image = tmp.path('out.qcow2');
  let qemu: QemuTools | null = null;
  afterAll(() => tmp.cleanup());
  beforeAll(async () => {
    if ('missing' in b) return;
    qemu = qemuTools(b.dir);
    await qemu.imgOk(['create', '-q', '-f', 'qcow2', image, '1M']);
    await qemu.io(image, ['write -P 0xa5 100 40']);
  });

  /** This build's tools, or skips the test saying why the build is missing. */
  function tools(skip: (reason: string) => void): QemuTools | null {
    return buildOrSkip(b, skip) === null ? null : qemu;
  }

  /** qemu-io's combined output for one command on the test image (qemu-io exits 0 even when it fails). */
  async function qemuIoOutput(q: QemuTools, command: string): Promise<string> {
    const r = await q.run('qemu-io', ['-f', 'qcow2', image, '-c', command]);
    return r.stdout + r.stderr;
  }

  describe('throwIfFailed', () => {
    it('lets the output of a command that worked through', async (ctx) => {
      const q = tools((reason) => ctx.skip(reason));
      if (q === null) return;
      const output = await qemuIoOutput(q, 'read 0 512');
      expect(() => throwIfFailed('read 0 512', output)).not.toThrow();
    });

    it('turns qemu-io\'s failure line into an EngineError with the errno its text names', async (ctx) => {
      const q = tools((reason) => ctx.skip(reason));
      if (q === null) return;
      // Arrange: a read past the end of the 1 MiB disk
      const output = await qemuIoOutput(q, 'read 1M 512');
      // Act
      let caught: unknown;
      try {
        throwIfFailed('read 1M 512', output);
      } catch (err) {
        caught = err;
      }
      // Assert
      expect(isEngineError(caught)).toBe(true);
      expect((caught as { errno: string }).errno).toBe('EIO');
      expect((caught as Error).message).toContain('qemu-io read:');
    });

    it('knows an unknown command', async (ctx) => {
      const q = tools((reason) => ctx.skip(reason));
      if (q === null) return;
      const output = await qemuIoOutput(q, 'frobnicate');
      expect(() => throwIfFailed('frobnicate', output)).toThrow(/frobnicate/);
    });
  });

  describe('throwIfOpenFailed', () => {
    /**
     * What a read-write `open` of `imagePath` and OPEN_PROBE print in an interactive qemu-io of this
     * build, started as the engine starts it (under crashcow's file size limit).
     */
    async function openAndProbe(q: QemuTools, imagePath: string): Promise<{ command: string; output: string; probe: string }> {
      const io = await QemuIoProcess.start(await resolveQemuBinaries(q.dir), tmp.dir);
      try {
        const command = openCommandOf({ imagePath, cacheMode: 'writethrough' });
        const output = await io.command(command);
        return { command, output, probe: await io.command(OPEN_PROBE) };
      } finally {
        await io.quit();
      }
    }

    it('lets through an open whose repair prints error lines but opens the image', async (ctx) => {
      const q = tools((reason) => ctx.skip(reason));
      if (q === null) return;
      // Arrange: a dirty image whose repair cannot grow the file to the refcount block it names
      const path = tmp.path('stale-reftable.qcow2');
      await makeStaleReftableImage(q, path);
      // Act
      const { command, output, probe } = await openAndProbe(q, path);
      // Assert: the repair printed the error (the generic reading takes it for a failure) and the image is open
      expect(output).toContain('Could not resize file: File too large');
      expect(() => throwIfFailed(command, output)).toThrow(/File too large/);
      expect(() => throwIfOpenFailed(command, output, probe)).not.toThrow();
      expect((await q.check(path)).exitCode).toBe(0);
    });

    it('turns an open that left no image open into an EngineError with qemu-io\'s reason', async (ctx) => {
      const q = tools((reason) => ctx.skip(reason));
      if (q === null) return;
      const { command, output, probe } = await openAndProbe(q, tmp.path('missing.qcow2'));
      let caught: unknown;
      try {
        throwIfOpenFailed(command, output, probe);
      } catch (err) {
        caught = err;
      }
      expect(isEngineError(caught)).toBe(true);
      expect((caught as { errno: string }).errno).toBe('ENOENT');
      expect((caught as Error).message).toMatch(/qemu-io open: qemu-io: can't open/);
    });
  });

  describe('parseHexDump', () => {
    it('reads back the bytes of a read -v dump, across its lines', async (ctx) => {
      const q = tools((reason) => ctx.skip(reason));
      if (q === null) return;
      const output = await q.io(image, ['read -v 96 48']);
      const bytes = parseHexDump(output, 48);
      expect([...bytes]).toEqual([0, 0, 0, 0, ...new Array(40).fill(0xa5), 0, 0, 0, 0]);
    });

    it('fails with EIO when the dump holds fewer bytes than asked', async (ctx) => {
      const q = tools((reason) => ctx.skip(reason));
      if (q === null) return;
      const output = await q.io(image, ['read -v 0 16']);
      expect(() => parseHexDump(output, 32)).toThrow(/dumped 16 of 32 bytes/);
    });
  });
});
