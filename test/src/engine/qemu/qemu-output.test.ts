/**
 * The QEMU engine reads qemu-io's output (failure lines, `read -v` hex dumps): checked on the
 * output of every QEMU build the machine has (test/helpers/qemu-builds.ts), since the engine runs
 * on each of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import { parseHexDump, throwIfFailed } from '../../../../src/engine/qemu/qemu-output.js';
import { buildOrSkip, qemuBuilds } from '../../../helpers/qemu-builds.js';
import { qemuTools, tempDir, type QemuTools } from '../../../helpers/qemu.js';

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
