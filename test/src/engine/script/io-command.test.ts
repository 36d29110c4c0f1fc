/** qemu-io command parsing and qemu's size syntax, with qemu-io's own error lines. */
import { describe, expect, it } from 'vitest';
import { parseIoCommand } from '../../../../src/engine/script/io-command.js';
import { formatSize, parseSizeBytes } from '../../../../src/engine/script/parse-size.js';

describe('parseSizeBytes', () => {
  it('reads qemu sizes', () => {
    expect(parseSizeBytes('4096')).toBe(4096);
    expect(parseSizeBytes('4k')).toBe(4096);
    expect(parseSizeBytes('1.5M')).toBe(1572864);
    expect(parseSizeBytes('2G')).toBe(2 ** 31);
    expect(parseSizeBytes('0x200')).toBe(512);
    expect(parseSizeBytes('1x')).toBe('invalid');
    expect(parseSizeBytes('-1')).toBe('invalid');
    expect(parseSizeBytes('0.3')).toBe('invalid');
    expect(parseSizeBytes('9E')).toBe('too-large');
  });

  it('prints sizes like qemu-io', () => {
    expect(formatSize(4096)).toBe('4 KiB');
    expect(formatSize(1572864)).toBe('1.500 MiB');
    expect(formatSize(5)).toBe('5 bytes');
  });
});

describe('parseIoCommand', () => {
  it('parses write, read, discard and flush with their flags', () => {
    expect(parseIoCommand('write -P 0x11 0 4k')).toMatchObject({ kind: 'write', offsetBytes: 0, lengthBytes: 4096, pattern: 0x11, zero: false });
    expect(parseIoCommand('write -z -u 64k 64k')).toMatchObject({ kind: 'write', zero: true, unmap: true });
    expect(parseIoCommand('write -c -P7 0 64k')).toMatchObject({ kind: 'write', compressed: true, pattern: 7 });
    expect(parseIoCommand('write 0 1')).toMatchObject({ kind: 'write', pattern: 0xcd });
    expect(parseIoCommand('read -P 010 1 2')).toMatchObject({ kind: 'read', pattern: 8, offsetBytes: 1, lengthBytes: 2 });
    expect(parseIoCommand('discard 0 1M')).toMatchObject({ kind: 'discard', lengthBytes: 1 << 20 });
    expect(parseIoCommand('flush')).toEqual({ kind: 'flush' });
  });

  it('fails with the line qemu-io prints', () => {
    expect(parseIoCommand('write 0 x')).toMatchObject({ kind: 'parse-error', line: 'Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- x' });
    expect(parseIoCommand('write -P 0x1ff 0 1')).toMatchObject({ line: '0x1ff is not a valid pattern byte' });
    expect(parseIoCommand('bogus 1 2')).toMatchObject({ line: 'command "bogus" not found', stream: 'stderr' });
    expect(parseIoCommand('write -u 0 1')).toMatchObject({ kind: 'parse-error' });
    expect(parseIoCommand('read 0')).toMatchObject({ kind: 'parse-error' });
  });
});
