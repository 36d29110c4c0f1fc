/**
 * pokeBuildOf: the qemu-img create arguments and qemu-io commands of a case's operations up to the
 * last flush, and the one-line refusals for what qemu-io alone cannot build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isExportRefusal } from '../../../src/export/export-refusal.js';
import { KILL_COMMAND, pokeBuildOf } from '../../../src/export/poke-build.js';
import { writeContent } from '../../../src/fuzz/content/content-tag.js';
import type { FuzzCase } from '../../../src/fuzz/case/fuzz-case.js';

const corpus = (name: string): FuzzCase => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../corpus/${name}.json`, import.meta.url)), 'utf8'));

function refusal(c: FuzzCase): string {
  try {
    pokeBuildOf(c, 'case.json');
  } catch (err) {
    if (isExportRefusal(err)) return err.message;
    throw err;
  }
  throw new Error('no refusal');
}

describe('pokeBuildOf', () => {
  it('creates with the case\'s options and runs its operations up to the last flush, then kills qemu-io', () => {
    const c = corpus('qemu-discard-reuse-unwritten-sector');
    const b = pokeBuildOf(c, 'case.json');
    expect(b.createArgs).toEqual(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=16384,compat=1.1,refcount_bits=16,lazy_refcounts=on,extended_l2=off', 'crash.qcow2', '1048576']);
    expect(b.ioCommands).toEqual(['write -q -s write1.bin 0 512', 'flush', KILL_COMMAND]);
    expect(b.opsBuilt).toBe(2);
    expect(b.cacheMode).toBe('writeback');
    expect(b.writeFiles).toHaveLength(1);
    expect(Buffer.from(b.writeFiles[0].bytes).equals(Buffer.from(writeContent(c.contentSeed, 1, 0, 512)))).toBe(true);
  });

  it('builds nothing but the created image when no flush comes before the crash', () => {
    const c = corpus('qemu-discard-reuse-unwritten-sector');
    c.operations = [{ kind: 'write', offsetBytes: 0, lengthBytes: 512, writeId: 1 }, { kind: 'crash' }];
    expect(pokeBuildOf(c, 'case.json').ioCommands).toEqual([KILL_COMMAND]);
  });

  it('turns zero writes, discards and reopens into qemu-io commands, and leaves compat 0.10 without v3 options', () => {
    const c = corpus('qemu-discard-reuse-unwritten-sector');
    c.image = { ...c.image, compat: '0.10', cacheMode: 'writethrough' };
    c.operations = [
      { kind: 'write-zeroes', offsetBytes: 512, lengthBytes: 1024, unmap: true },
      { kind: 'discard', offsetBytes: 0, lengthBytes: 16384 },
      { kind: 'reopen' },
      { kind: 'flush' },
      { kind: 'crash' },
    ];
    const b = pokeBuildOf(c, 'case.json');
    expect(b.createArgs[5]).toBe('cluster_size=16384,compat=0.10');
    expect(b.ioCommands).toEqual(['write -q -z -u 512 1024', 'discard -q 0 16384', 'close', 'open -t writethrough -o driver=qcow2,file.filename=crash.qcow2', 'flush', KILL_COMMAND]);
  });

  it('refuses a snapshot before the last flush, saying that its bytes hold the time', () => {
    expect(refusal(corpus('qemu-snapshot-apply-copied-window'))).toMatch(/^case\.json: --form poke cannot build this case's layout: operation 3 \(snapshot-create\) .*time it was made.*; use --form image$/);
  });

  it('refuses a case that crashes twice, an I/O-error case and a filled image', () => {
    const twice = corpus('qemu-discard-reuse-unwritten-sector');
    twice.operations = [{ kind: 'crash' }, ...twice.operations];
    expect(refusal(twice)).toMatch(/crashes more than once/);
    const eio = corpus('qemu-discard-reuse-unwritten-sector');
    (eio as any).fault = { kind: 'eio', op: 0, request: 1, errno: 5, mode: 'once' };
    expect(refusal(eio)).toMatch(/I\/O-error fault/);
    const filled = corpus('qemu-discard-reuse-unwritten-sector');
    filled.image = { ...filled.image, fillBytes: 4096 };
    expect(refusal(filled)).toMatch(/filled before the run/);
  });

  it('never puts a number that is not a plain byte count into a command', () => {
    const c = corpus('qemu-discard-reuse-unwritten-sector');
    (c.operations[0] as any).offsetBytes = '0; touch x';
    expect(refusal(c)).toMatch(/not a byte count/);
    const d = corpus('qemu-discard-reuse-unwritten-sector');
    (d.image as any).cacheMode = 'writeback -c "sigraise 9"';
    expect(refusal(d)).toMatch(/cache mode/);
  });
});
