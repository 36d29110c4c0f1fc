/** `crashcow resize` against `qemu-img resize` on copies of one image: same sizes, same refusals. */
import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { qemuCheck, qemuImg, qemuImgOk, qemuInfo, qemuIo, tempDir } from '../../../helpers/qemu.js';

const tmp = tempDir('crashcow-resize-');
afterAll(() => tmp.cleanup());
const original = tmp.path('original.qcow2');

beforeAll(async () => {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4k', original, '2M']);
  await qemuIo(original, ['write -P 7 0 64k', 'write -P 8 1536k 16k']);
});

/** Copies of the original for crashcow and for qemu-img. */
function copies(name: string): [string, string] {
  const ours = tmp.path(`${name}-crashcow.qcow2`);
  const theirs = tmp.path(`${name}-qemu.qcow2`);
  copyFileSync(original, ours);
  copyFileSync(original, theirs);
  return [ours, theirs];
}

describe('crashcow resize', () => {
  it.each([
    ['grow to an absolute size', ['3M']],
    ['grow by a relative size', ['+512K']],
    ['shrink with --shrink', ['--shrink', '1M']],
    ['shrink by a relative size with --shrink, after --', ['--shrink', '--', '-256K']],
  ])('%s: the virtual size qemu-img gives, and a clean image', async (name, args) => {
    // Arrange
    const [ours, theirs] = copies(name.replace(/\W+/g, '-'));
    const flags = args.filter((a) => a === '--shrink');
    const size = args.filter((a) => a !== '--shrink');
    // Act ('--' goes before the image: it ends the options)
    const r = await crashcow(['resize', ...flags, ...(size[0] === '--' ? ['--', ours, size[1]] : [ours, ...size])]);
    await qemuImgOk(['resize', ...flags, ...(size[0] === '--' ? ['--', theirs, size[1]] : [theirs, ...size])]);
    // Assert
    expect([r.exitCode, r.stdout]).toEqual([0, 'Image resized.']);
    expect((await qemuInfo(ours))['virtual-size']).toBe((await qemuInfo(theirs))['virtual-size']);
    expect((await qemuCheck(ours)).exitCode).toBe(0);
  });

  it('refuses to shrink without --shrink, as qemu-img does, leaving the image as it was', async () => {
    const [ours, theirs] = copies('refused');
    const r = await crashcow(['resize', ours, '1M']);
    const q = await qemuImg(['resize', theirs, '1M']);
    expect([r.exitCode, q.exitCode]).toEqual([1, 1]);
    expect(r.stderr).toBe('crashcow resize: Use the --shrink option to perform a shrink operation.');
    expect(q.stderr).toContain('Use the --shrink option to perform a shrink operation.');
    expect((await qemuInfo(ours))['virtual-size']).toBe(2 << 20);
  });

  it('rejects a missing size or a size below zero with exit 2', async () => {
    const [ours] = copies('usage');
    expect((await crashcow(['resize', ours])).exitCode).toBe(2);
    expect((await crashcow(['resize', '--shrink', '--', ours, '-4M'])).exitCode).toBe(2);
  });

  // SKIPPED, a known defect: `crashcow resize --shrink IMAGE -256K` reads "-256K" as an unknown
  // option (exit 2) where qemu-img resize takes it as a relative shrink, as crashcow's usage line
  // promises ("[+|-]SIZE"). Unskip once the argument parser passes a negative SIZE through.
  it.skip('takes a negative relative SIZE without --, as qemu-img does', async () => {
    const [ours, theirs] = copies('negative');
    await qemuImgOk(['resize', '--shrink', theirs, '-256K']);
    expect((await crashcow(['resize', '--shrink', ours, '-256K'])).exitCode).toBe(0);
    expect((await qemuInfo(ours))['virtual-size']).toBe((await qemuInfo(theirs))['virtual-size']);
  });
});
