/**
 * `crashcow export --iotest` as a user runs it: hostile strings in every string field of a case
 * (shell metacharacters, $(...), backquotes, quotes, newlines) never reach the script as code: a
 * marker file they try to create never appears, and the script still runs and still shows the
 * defect; user mistakes (an invalid case, a built-in case, a missing flag, --form poke on a case it
 * cannot build) exit 2
 * with one line saying why, never a stack trace.
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';

const corpus = (name: string): string => fileURLToPath(new URL(`../../../corpus/${name}.json`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crashcow-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const marker = join(dir, 'INJECTED');

/** One string that tries every way into a shell script: substitution, backquotes, quotes, newlines, a comment end. */
const HOSTILE = `x$(touch ${marker})\`touch ${marker}\`'; touch ${marker}; '"; touch ${marker}; "\ntouch ${marker}\r\n#\u2028touch ${marker} \u0085$'\\n' \\`;

/** Every free-text string field of `c` made hostile (the schema constrains the name, rule ids and sector values). */
function hostile(c: Record<string, any>, keepStage: boolean): Record<string, any> {
  const out = structuredClone(c);
  out.note = `note ${HOSTILE}`;
  out.engine.version = `qemu-io 7.2.22 ${HOSTILE}`;
  out.engine.versionLine = `line ${HOSTILE}`;
  out.replay = `replay ${HOSTILE}`;
  out.seed.path = `path ${HOSTILE}`;
  for (const k of ['summary', 'expected', 'actual']) out.violation[k] = `${k} ${HOSTILE}`;
  if (!keepStage) out.violation.stage = `stage ${HOSTILE}`;
  if (out.violation.sector) out.violation.sector.actual = `actual ${HOSTILE}`;
  return out;
}

async function exportAndRun(c: Record<string, any>, file: string): Promise<{ script: string; run: { exitCode: number; all: string } }> {
  const path = join(dir, `${file}.json`);
  writeFileSync(path, JSON.stringify(c));
  const out = join(dir, file);
  const r = await crashcow(['export', path, '--iotest', out, '--qemu', '/usr/bin']);
  expect(r.exitCode, r.stderr).toBe(0);
  const script = join(out, c.name);
  const text = readFileSync(script, 'utf8');
  const run = await execa(script, [], { reject: false, all: true });
  return { script: text, run: { exitCode: run.exitCode ?? -1, all: run.all ?? '' } };
}

describe('crashcow export --iotest', () => {
  it('puts hostile strings of a P3 case only in comments: nothing runs, the script still shows the defect', async () => {
    const c = hostile(JSON.parse(readFileSync(corpus('qemu-repair-on-open-keeps-l2-past-eof'), 'utf8')), true);
    const { script, run } = await exportAndRun(c, 'hostile-p3');
    expect(existsSync(marker)).toBe(false);
    for (const line of script.split('\n')) if (line.includes('touch')) expect(line.trimStart().startsWith('#'), line).toBe(true);
    expect(run.all).not.toContain('command not found');
    expect(run.all).toContain(`FAIL: ${c.name}`);
    expect(run.all).toContain('ERROR: counting reference for region exceeding the end of the file');
    expect(run.exitCode).toBe(1);
  });

  it('puts hostile strings of a P4 case (stage too) only in comments, and the script still runs', async () => {
    const c = hostile(JSON.parse(readFileSync(corpus('qemu-discard-reuse-unwritten-sector'), 'utf8')), false);
    const { script, run } = await exportAndRun(c, 'hostile-p4');
    expect(existsSync(marker)).toBe(false);
    for (const line of script.split('\n')) if (line.includes('touch')) expect(line.trimStart().startsWith('#'), line).toBe(true);
    expect(run.all).not.toContain('command not found');
    expect(run.all).toMatch(new RegExp(`^(PASS|FAIL): ${c.name}`, 'm'));
    // With its stage unreadable the case names no recovery: the script judges the crash state as it is.
    expect(script).not.toContain('=== Recovery');
    expect(run.all).toContain('Pattern verification failed at offset 512');
  });

  it('writes a test that, with --raw, prints the output that differs from the .out while the defect is there', async () => {
    const out = join(dir, 'raw');
    const r = await crashcow(['export', corpus('qemu-repair-on-open-refblock-overlap'), '--iotest', out, '--qemu', '/usr/bin']);
    expect(r.exitCode, r.stderr).toBe(0);
    const name = 'qemu-repair-on-open-refblock-overlap';
    const raw = await execa(join(out, name), ['--raw'], { reject: false, all: true });
    const expected = readFileSync(join(out, `${name}.out`), 'utf8');
    expect(expected).toContain('No errors were found on the image.');
    expect(raw.exitCode).toBe(0);
    expect(raw.all + '\n').not.toBe(expected);
    expect(raw.all).toContain('2 errors were found on the image.');
    expect(readFileSync(join(out, name), 'utf8')).toBe(readFileSync(fileURLToPath(new URL(`../../../corpus/iotests/${name}/${name}`, import.meta.url)), 'utf8').replace(`corpus/${name}.json`, corpus(name)));
  });

  it('exports a damage case as the script in corpus/iotests, which fails on this QEMU with what qemu-img check -r all left', async () => {
    const name = 'qemu-damage-l2-entry-reserved-bit';
    const out = join(dir, 'damage');
    const r = await crashcow(['export', corpus(name), '--iotest', out, '--qemu', '/usr/bin']);
    expect(r.exitCode, r.stderr).toBe(0);
    const text = readFileSync(join(out, name), 'utf8');
    expect(text).toBe(readFileSync(fileURLToPath(new URL(`../../../corpus/iotests/${name}/${name}`, import.meta.url)), 'utf8').replace(`corpus/${name}.json`, corpus(name)));
    const run = await execa(join(out, name), [], { reject: false, all: true });
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain('neither repaired nor refused (exit status 2)');
    expect(run.all).toContain('ERROR found l2 entry with reserved bits set');
  });

  it.each([
    ['an invalid case', () => [writeBad(), '--iotest', join(dir, 'x')], /not a valid crashcow case: .*\/engine/],
    ['a built-in case', () => [corpus('builtin-mutant-l1-before-l2'), '--iotest', join(dir, 'x')], /only QEMU cases export as iotests/],
    ['no --iotest', () => [corpus('qemu-repair-on-open-refblock-overlap')], /--iotest DIR/],
    ['--form poke on a damage case', () => [corpus('qemu-damage-l1-entry-past-eof'), '--iotest', join(dir, 'x'), '--form', 'poke', '--qemu', '/usr/bin'], /a damage case has no crash state to poke/],
    ['--form poke on a case whose layout qemu-io cannot build', () => [corpus('qemu-snapshot-apply-copied-window'), '--iotest', join(dir, 'x'), '--form', 'poke', '--qemu', '/usr/bin'], /--form poke cannot build this case's layout/],
    ['--form bogus', () => [corpus('qemu-repair-on-open-refblock-overlap'), '--iotest', join(dir, 'x'), '--form', 'bogus'], /--form must be image or poke/],
  ])('refuses %s with exit 2 and one line saying why', async (_what, args, message) => {
    const r = await crashcow(['export', ...args()]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

function writeBad(): string {
  const path = join(dir, 'bad.json');
  const c = JSON.parse(readFileSync(corpus('qemu-repair-on-open-refblock-overlap'), 'utf8'));
  delete c.engine.name;
  writeFileSync(path, JSON.stringify(c));
  return path;
}
