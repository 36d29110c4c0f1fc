/**
 * Dropping an extended-L2 mapping that cannot be read (its cluster lies past the end of the file,
 * AL-4) loses only the subclusters that read that cluster: the unallocated ones keep reading the
 * backing file (GD-1). Regression for corpus/builtin-lazy-repair-zeroes-backing.json, where the
 * repair turned the whole cluster into zeros and a sector nobody had written lost its backing data.
 */
import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuCheck, qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout, writeU64 } from '../check/damage.js';

const tmp = tempDir('crashcow-subcluster-drop-');
afterAll(() => tmp.cleanup());

/** A raw backing file of pattern 7 and an extended-L2 overlay (64 KiB clusters, 2 KiB subclusters) with 4 KiB of pattern 1 at 0. */
async function overlay(): Promise<{ image: string; layout: Layout }> {
  const backing = tmp.path('backing.raw');
  const image = tmp.path('overlay.qcow2');
  await qemuImgOk(['create', '-q', '-f', 'raw', backing, '1M']);
  await qemuIo(backing, ['write -P 7 0 1M'], { format: 'raw' });
  await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on,cluster_size=64k', '-b', backing, '-F', 'raw', image, '1M']);
  await qemuIo(image, ['write -P 1 0 4k']);
  return { image, layout: new Layout(image) };
}

describe('crashcow check -r all: a dropped extended-L2 mapping (AL-4, GD-1)', () => {
  it('keeps the unallocated subclusters reading the backing file; only the allocated ones read zeros', async () => {
    // Arrange: cluster 0 has subclusters 0-1 allocated; point it past the end of the file.
    const { image, layout } = await overlay();
    const pastEnd = BigInt(statSync(image).size + 2 ** 24) & ~0xffffn;
    writeU64(image, layout.l2EntryOffset(0, 0), (1n << 63n) | pastEnd);
    await qemuIo(image, ['read -P 7 4k 60k']); // before the repair, the rest of the cluster reads the backing file

    // Act
    const run = await crashcow(['check', '-r', 'all', '--output', 'json', image]);

    // Assert
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const dropped = JSON.parse(run.stdout).repairs.filter((r: { rule: string }) => r.rule === 'AL-4');
    expect(dropped.length).toBe(1);
    expect((await qemuCheck(image)).exitCode).toBe(0);
    await qemuIo(image, ['read -P 0 0 4k', 'read -P 7 4k 60k', 'read -P 7 64k 64k']);
  });
});
