/**
 * One script, two implementations: the same create / io / snapshot / resize command lines run through
 * qemu-img / qemu-io and through the crashcow CLI; the output lines (without qemu-io's timing
 * statistics), exit statuses and resulting guest data must agree, with every QEMU build the machine
 * has (test/helpers/qemu-builds.ts).
 */
import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { mutantSpecs } from '../../../../src/engine/mutants.js';
import { buildOrSkip, qemuBuilds } from '../../../helpers/qemu-builds.js';
import { qemuImg, qemuRun, qemuTools, tempDir, type QemuTools } from '../../../helpers/qemu.js';

const t = tempDir('crashcow-cli-');
afterAll(() => t.cleanup());

const STATS = /, \d+ ops; /;
const lines = (r: { stdout: string }) => r.stdout.split('\n').filter((l) => l && !STATS.test(l));

/** Runs `args` as `qemu-img|qemu-io ...` of `qemu` and as `crashcow create|io|snapshot|resize ...` on twin images in `dir`. */
async function both(qemu: QemuTools, dir: string, tool: 'img' | 'io', sub: string[], imageName: string, tail: string[] = []) {
  const q = await qemu.run(tool === 'io' ? 'qemu-io' : 'qemu-img', [...sub, `q-${imageName}`, ...tail], { cwd: dir });
  const cmd = tool === 'io' ? 'io' : sub[0];
  const c = await crashcow([cmd, ...(tool === 'io' ? sub : sub.slice(1)), `c-${imageName}`, ...tail], { cwd: dir });
  return { q, c };
}

describe.each(qemuBuilds())('crashcow CLI runs the qemu-img / qemu-io script of $label', (b) => {
  it(`create, io, snapshot and resize agree with ${b.label} line by line`, async (ctx) => {
    const build = buildOrSkip(b, (reason) => ctx.skip(reason));
    if (build === null) return;
    const qemu = qemuTools(build.dir);
    const dir = t.path(build.versionKey);
    mkdirSync(dir, { recursive: true });
    const steps: Array<['img' | 'io', string[], string[]]> = [
      ['img', ['create', '-f', 'qcow2', '-o', 'cluster_size=4k,lazy_refcounts=on'], ['2M']],
      ['io', ['-f', 'qcow2', '-c', 'write -P 0x11 0 12k', '-c', 'write -c -P 7 64k 4k', '-c', 'write -c 64k 4k', '-c', 'read -P 0x11 4k 4k', '-c', 'read -P 0x12 0 4k', '-c', 'discard 0 4k', '-c', 'write -z 8k 4k', '-c', 'write 0 3x'], []],
      ['img', ['snapshot', '-c', 'first'], []],
      ['io', ['-f', 'qcow2', '-t', 'writeback', '-c', 'write -P 0x22 0 64k', '-c', 'flush', '-c', 'read -P 0x22 0 64k'], []],
      ['img', ['snapshot', '-a', 'first'], []],
      ['img', ['snapshot', '-d', 'nope'], []],
      ['img', ['resize', '-f', 'qcow2'], ['+1M']],
      ['img', ['resize', '-f', 'qcow2'], ['1M']],
      ['io', ['-f', 'qcow2', '-c', 'read -P 0 0 4k', '-c', 'read -P 0x11 4k 4k', '-c', 'read -P 7 64k 4k', '-c', 'read 3M 4k'], []],
    ];
    for (const [tool, sub, tail] of steps) {
      const { q, c } = await both(qemu, dir, tool, sub, 'a.qcow2', tail);
      const label = `${tool} ${sub.join(' ')} ${tail.join(' ')}`;
      expect(c.exitCode, `${label}\nqemu: ${q.stderr}\ncrashcow: ${c.stderr}`).toBe(q.exitCode);
      expect(lines(c).map((l) => l.replace("'c-a.qcow2'", "'q-a.qcow2'")), label).toEqual(lines(q));
    }
    const cmp = await qemu.img(['compare', '-f', 'qcow2', '-F', 'qcow2', 'c-a.qcow2', 'q-a.qcow2'], dir);
    expect(cmp.exitCode, cmp.stdout).toBe(0);
    const check = await qemu.check(`${dir}/c-a.qcow2`);
    expect(check.exitCode, check.stderr).toBe(0);
    const list = await qemu.img(['snapshot', '-l', 'c-a.qcow2'], dir);
    expect(list.stdout).toMatch(/^1\s+first\s+0 B /m);
  });
});

describe('crashcow CLI runs qemu-img / qemu-io scripts', () => {
  it('lists its mutants, one per line with a description', async () => {
    const r = await crashcow(['mutants']);
    expect(r.exitCode).toBe(0);
    const names = r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    expect(names).toContain('refcount-after-l2');
    expect(names).toContain('header-rewrite-in-place');
    expect(names).toEqual(mutantSpecs.map((m) => m.name));
  });

  it('rejects bad flags, sizes and mutants with one line and exit 2, never a stack trace', async () => {
    const cases: string[][] = [
      ['create', '-f', 'qcow2', '-o', 'bogus=1', 'x.qcow2', '1M'],
      ['create', '-f', 'qcow2', 'x.qcow2', '12Q'],
      ['create', '-f', 'raw', 'x.qcow2', '1M'],
      ['io', '--mutant', 'no-such-mutant', '-c', 'flush', 'x.qcow2'],
      ['io', '-t', 'sometimes', '-c', 'flush', 'x.qcow2'],
      ['resize', 'x.qcow2', 'big'],
      ['snapshot', '-c', 'a', '-d', 'b', 'x.qcow2'],
    ];
    for (const argv of cases) {
      const r = await crashcow(argv, { cwd: t.dir });
      expect(r.exitCode, argv.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0], argv.join(' ')).toMatch(/^crashcow \w+: /);
      expect(r.stderr, argv.join(' ')).not.toMatch(/\n\s+at /);
    }
    const size = await crashcow(['create', '-f', 'qcow2', 'x.qcow2', '12Q'], { cwd: t.dir });
    expect(size.stderr).toMatch(/invalid SIZE "12Q"/);
  });

  it('repairs a dirty image on a read-write open, as qemu-io does (FEAT-1, LAZY-5)', async () => {
    await qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'lazy_refcounts=on', 'dirty.qcow2', '1M'], t.dir);
    await qemuRun('qemu-io', ['-f', 'qcow2', '-c', 'write 0 4k', '-c', 'sigraise 9', 'dirty.qcow2'], { cwd: t.dir });
    // Read-only first: the image stays dirty and reads fine.
    const ro = await crashcow(['io', '-r', '-c', 'read -P 0xcd 0 4k', 'dirty.qcow2'], { cwd: t.dir });
    expect(ro.exitCode, ro.stdout + ro.stderr).toBe(0);
    // Read-write: crashcow's repair runs before the open, like QEMU's check on a dirty open.
    const rw = await crashcow(['io', '-c', 'write -P 0x11 4k 4k', 'dirty.qcow2'], { cwd: t.dir });
    expect(rw.exitCode, rw.stdout + rw.stderr).toBe(0);
    const check = await qemuImg(['check', 'dirty.qcow2'], t.dir);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
  });
});
