/**
 * `crashcow convert` against `qemu-img convert -O raw` on every image of the cross-check table:
 * byte for byte equal, and sparse where the guest reads zeros.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { qemuImgOk, qemuIo, tempDir } from '../../../helpers/qemu.js';
import { imageCases } from './qemu-image-cases.js';

const tmp = tempDir('crashcow-convert-');
afterAll(() => tmp.cleanup());

describe('crashcow convert equals qemu-img convert -O raw', () => {
  const paths = new Map<string, string>();
  beforeAll(async () => {
    for (const c of imageCases) paths.set(c.name, await c.build(tmp.dir));
  });

  it.each(imageCases.map((c, i) => [c.name, i] as const))('%s', async (name, i) => {
    const path = paths.get(name)!;
    const expectedPath = tmp.path(`expected-${i}.raw`);
    const actualPath = tmp.path(`actual-${i}.raw`);
    await qemuImgOk(['convert', '-O', 'raw', path, expectedPath]);
    const r = await crashcow(['convert', path, actualPath]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const expected = readFileSync(expectedPath);
    const actual = readFileSync(actualPath);
    expect(actual.length).toBe(expected.length);
    expect(actual.some((b) => b !== 0), 'the case writes data').toBe(true);
    expect(Buffer.compare(actual, expected)).toBe(0);
  });

  it('writes zero ranges as holes', async () => {
    const path = paths.get('cluster 2 MiB')!;
    const out = tmp.path('sparse.raw');
    expect((await crashcow(['convert', path, out])).exitCode).toBe(0);
    const st = statSync(out);
    expect(st.size).toBe(64 * 1024 * 1024);
    expect(st.blocks * 512).toBeLessThan(8 * 1024 * 1024);
  });

  it('overwrites an existing output file completely', async () => {
    const path = paths.get('cluster 4 KiB')!;
    const out = tmp.path('stale.raw');
    writeFileSync(out, Buffer.alloc(16 * 1024 * 1024, 0xff));
    expect((await crashcow(['convert', path, out])).exitCode).toBe(0);
    const bytes = readFileSync(out);
    expect(bytes.length).toBe(8 * 1024 * 1024);
    expect(bytes[8 * 1024 * 1024 - 1]).toBe(0);
  });
});

describe('crashcow convert errors', () => {
  it('refuses to write over the image it reads', async () => {
    const path = await imageCases[0].build(tmp.dir);
    const before = readFileSync(path);
    const r = await crashcow(['convert', path, path]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/is the image being converted/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('--no-follow: refuses to read an external data file, naming it and the option', async () => {
    const path = tmp.path('nf-data.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-o', `data_file=${tmp.path('nf-data.raw')}`, path, '1M']);
    await qemuIo(path, ['write -P 0x5d 4096 512']);
    const r = await crashcow(['convert', '--no-follow', path, tmp.path('nf-out.raw')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/external data file ".*nf-data\.raw".*--no-follow/);
  });

  it('needs IMAGE and OUT.raw (usage error, exit 2)', async () => {
    const r = await crashcow(['convert', 'only-one.qcow2']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/missing OUT\.raw/);
  });
});
