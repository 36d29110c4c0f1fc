/**
 * The poke form's shell text: printf lines that bash turns back into the exact bytes (every byte
 * value, NUL included), and commands that hold only single-quoted words of ours.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KILL_COMMAND } from '../../../src/export/poke-build.js';
import { printfLines, renderBuildFunction } from '../../../src/export/poke-script.js';

describe('printfLines', () => {
  it('prints every byte value back exactly through bash\'s printf', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    const script = ['{', ...printfLines(bytes, '  '), '}'].join('\n');
    const r = spawnSync('bash', ['-c', script]);
    expect(r.status).toBe(0);
    expect(Buffer.from(r.stdout).equals(Buffer.from(bytes))).toBe(true);
  });

  it('writes 64 bytes a line, as \\x escapes in single quotes', () => {
    const lines = printfLines(new Uint8Array(130).fill(0x27), '');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`printf '${'\\x27'.repeat(64)}'`);
  });
});

describe('renderBuildFunction', () => {
  it('quotes every qemu-img argument and qemu-io command as one word', () => {
    const text = renderBuildFunction({ createArgs: ['create', '-q', 'crash.qcow2', '1048576'], cacheMode: 'writeback', ioCommands: ['flush', KILL_COMMAND], writeFiles: [], opsBuilt: 1 }).join('\n');
    expect(text).toContain(`"$QEMU_IMG" 'create' '-q' 'crash.qcow2' '1048576' > build.log 2>&1 || return 1`);
    expect(text).toContain(`-c 'flush'`);
    expect(text).toContain(`-c 'sigraise 9'`);
  });

  it('refuses a word with a quote in it (our bug: the words are ours)', () => {
    expect(() => renderBuildFunction({ createArgs: ["it's"], cacheMode: 'writeback', ioCommands: [], writeFiles: [], opsBuilt: 0 })).toThrow(/not a plain word/);
  });
});
