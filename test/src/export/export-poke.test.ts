/**
 * `crashcow export --iotest --form poke` as a user runs it, on QEMU 7.2 (/usr/bin): the script
 * builds the image itself, pokes the crash state into it and then fails exactly as the image form
 * of the same case does (same output, exit 1); with a qemu-io that adds one write of its own the
 * layout check stops it with LAYOUT DIFFERS and exit 3 before any test runs; hostile strings of
 * the case stay comments; a case whose layout qemu-io cannot build is refused with one line.
 */
import { execa } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';

const QEMU_DIR = '/usr/bin';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const corpus = (name: string): string => join(root, 'corpus', `${name}.json`);
const dir = mkdtempSync(join(tmpdir(), 'crashcow-poke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { QEMU_IMG: join(QEMU_DIR, 'qemu-img'), QEMU_IO: join(QEMU_DIR, 'qemu-io') };
const haveQemu = existsSync(env.QEMU_IO) && existsSync(env.QEMU_IMG);

async function exportPoke(casePath: string, out: string): Promise<void> {
  const r = await crashcow(['export', casePath, '--iotest', out, '--form', 'poke', '--qemu', QEMU_DIR]);
  expect(r.exitCode, r.stderr).toBe(0);
}

async function run(script: string, args: string[], extra: Record<string, string> = {}): Promise<{ exitCode: number; all: string }> {
  const r = await execa(script, args, { env: { ...env, ...extra }, reject: false, all: true });
  return { exitCode: r.exitCode ?? -1, all: r.all ?? '' };
}

describe.skipIf(!haveQemu)(`crashcow export --form poke (QEMU of ${QEMU_DIR})`, () => {
  const name = 'qemu-discard-reuse-unwritten-sector';
  const out = join(dir, name);
  const script = join(out, name);

  it('writes a script and its .out but no image, and the script fails as the image form does', async () => {
    await exportPoke(corpus(name), out);
    expect(existsSync(join(out, `${name}.qcow2.bz2`))).toBe(false);
    const imageForm = join(root, 'corpus', 'iotests', name, name);
    expect(readFileSync(join(out, `${name}.out`), 'utf8')).toBe(readFileSync(`${imageForm}.out`, 'utf8'));
    const poked = await run(script, ['--raw']);
    const shipped = await run(imageForm, ['--raw']);
    expect(poked.exitCode, poked.all).toBe(0);
    expect(poked.all).toBe(shipped.all);
    expect(poked.all).toContain('Pattern verification failed at offset 512');
    const full = await run(script, []);
    expect(full.all).toContain(`FAIL: ${name}`);
    expect(full.exitCode).toBe(1);
  });

  it('stops with LAYOUT DIFFERS and exit 3 when qemu-io builds another layout', async () => {
    if (!existsSync(script)) await exportPoke(corpus(name), out);
    const fake = join(dir, 'qemu-io-one-more-write');
    writeFileSync(fake, `#!/usr/bin/env bash\nexec '${env.QEMU_IO}' -c 'write -q -P 85 65536 512' "$@"\n`);
    chmodSync(fake, 0o755);
    for (const args of [[], ['--raw']]) {
      const r = await run(script, args, { QEMU_IO: fake });
      expect(r.exitCode, r.all).toBe(3);
      expect(r.all).toMatch(new RegExp(`^LAYOUT DIFFERS: ${name}: `, 'm'));
      expect(r.all).not.toMatch(/^(PASS|FAIL):/m);
      expect(r.all).not.toContain('QA output created by');
    }
  });

  it('keeps hostile strings of the case in comments: nothing runs and the script still fails the same way', async () => {
    const marker = join(dir, 'INJECTED');
    const hostile = `x$(touch ${marker})\`touch ${marker}\`'; touch ${marker}; '"; touch ${marker}; "\ntouch ${marker}\r\n#\u2028touch ${marker} \u0085$'\\n' \\`;
    const c = JSON.parse(readFileSync(corpus('qemu-repair-on-open-keeps-l2-past-eof'), 'utf8'));
    c.note = `note ${hostile}`;
    c.engine.version = `qemu-io 7.2.22 ${hostile}`;
    for (const k of ['summary', 'expected', 'actual']) c.violation[k] = `${k} ${hostile}`;
    const path = join(dir, 'hostile.json');
    writeFileSync(path, JSON.stringify(c));
    const hostileOut = join(dir, 'hostile');
    await exportPoke(path, hostileOut);
    const text = readFileSync(join(hostileOut, c.name), 'utf8');
    for (const line of text.split('\n')) if (line.includes('touch')) expect(line.trimStart().startsWith('#'), line).toBe(true);
    const r = await run(join(hostileOut, c.name), []);
    expect(existsSync(marker)).toBe(false);
    expect(r.all).not.toContain('command not found');
    expect(r.all).toContain('ERROR: counting reference for region exceeding the end of the file');
    expect(r.exitCode).toBe(1);
  });

  it.each([
    ['a snapshot before the last flush', 'qemu-snapshot-apply-copied-window', /operation 3 \(snapshot-create\) comes before the last flush/],
    ['a crash inside the recovery (P5)', 'qemu-crash-inside-repair-reftable-unwritten', /a crash inside the recovery's own writes/],
  ])('refuses %s with exit 2 and one line saying why', async (_what, caseName, message) => {
    const r = await crashcow(['export', corpus(caseName), '--iotest', join(dir, 'refused'), '--form', 'poke', '--qemu', QEMU_DIR]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/--form poke cannot build this case's layout: .*; use --form image$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
