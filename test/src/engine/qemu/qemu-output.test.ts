import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/engine-error.js';
import { parseHexDump, throwIfFailed } from '../../../../src/engine/qemu/qemu-output.js';
import { qemuImgOk, qemuIo, tempDir } from '../../../helpers/qemu.js';
import { execa } from 'execa';

const tmp = tempDir('crashcow-qemu-output-');
const image = tmp.path('out.qcow2');
afterAll(() => tmp.cleanup());
beforeAll(async () => {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', image, '1M']);
  await qemuIo(image, ['write -P 0xa5 100 40']);
});

/** qemu-io's combined output for one command on the test image (qemu-io exits 0 even when it fails). */
async function qemuIoOutput(command: string): Promise<string> {
  const r = await execa('qemu-io', ['-f', 'qcow2', image, '-c', command], { reject: false });
  return r.stdout + r.stderr;
}

describe('throwIfFailed', () => {
  it('lets the output of a command that worked through', async () => {
    const output = await qemuIoOutput('read 0 512');
    expect(() => throwIfFailed('read 0 512', output)).not.toThrow();
  });

  it('turns qemu-io\'s failure line into an EngineError with the errno its text names', async () => {
    // Arrange: a read past the end of the 1 MiB disk
    const output = await qemuIoOutput('read 1M 512');
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

  it('knows an unknown command', async () => {
    const output = await qemuIoOutput('frobnicate');
    expect(() => throwIfFailed('frobnicate', output)).toThrow(/frobnicate/);
  });
});

describe('parseHexDump', () => {
  it('reads back the bytes of a read -v dump, across its lines', async () => {
    const output = await qemuIo(image, ['read -v 96 48']);
    const bytes = parseHexDump(output, 48);
    expect([...bytes]).toEqual([0, 0, 0, 0, ...new Array(40).fill(0xa5), 0, 0, 0, 0]);
  });

  it('fails with EIO when the dump holds fewer bytes than asked', async () => {
    const output = await qemuIo(image, ['read -v 0 16']);
    expect(() => parseHexDump(output, 32)).toThrow(/dumped 16 of 32 bytes/);
  });
});
