/**
 * `crashcow info` against `qemu-img info --output=json` on every image of the cross-check table:
 * every field crashcow reports equals qemu-img's, no field qemu-img reports is missing, and the
 * JSON is valid against spec/schemas/info.schema.json.
 */
import Ajv from 'ajv';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { qemuImgOk, qemuInfo, tempDir } from '../../../helpers/qemu.js';
import { imageCases } from './qemu-image-cases.js';

const schema = JSON.parse(readFileSync(new URL('../../../../spec/schemas/info.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tmp = tempDir('crashcow-info-');
afterAll(() => tmp.cleanup());

async function crashcowInfo(path: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const r = await crashcow(['info', '--output', 'json', ...extra, path]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('crashcow info equals qemu-img info --output=json', () => {
  const paths = new Map<string, string>();
  beforeAll(async () => {
    for (const c of imageCases) paths.set(c.name, await c.build(tmp.dir));
  });

  it.each(imageCases.map((c) => c.name))('%s', async (name) => {
    const path = paths.get(name)!;
    const expected = await qemuInfo(path);
    const actual = await crashcowInfo(path);
    expect(validate(actual), JSON.stringify(validate.errors)).toBe(true);
    expect(actual).toEqual(expected);
  });

  it('lists snapshots with their fields and bitmaps with their flags', async () => {
    const snap = await crashcowInfo(paths.get('internal snapshots created, applied, deleted')!);
    expect((snap.snapshots as { name: string }[]).map((s) => s.name)).toEqual(['s1']);
    const bitmaps = await crashcowInfo(paths.get('persistent bitmaps')!);
    const data = (bitmaps['format-specific'] as { data: { bitmaps: unknown[] } }).data;
    expect(data.bitmaps).toEqual([
      { name: 'b0', granularity: 65536, flags: ['auto'] },
      { name: 'b1', granularity: 131072, flags: [] },
    ]);
  });

  it('human output names the backing file, format and sizes', async () => {
    const r = await crashcow(['info', paths.get('backing chain, 3 levels, qcow2 base')!]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^file format: qcow2$/m);
    expect(r.stdout).toMatch(/^virtual size: 8 MiB \(8388608 bytes\)$/m);
    expect(r.stdout).toMatch(/^backing file: .*mid-qcow2\.qcow2$/m);
    expect(r.stdout).toMatch(/^backing file format: qcow2$/m);
    expect(r.stdout).toMatch(/^cluster_size: 16384$/m);
  });
});

describe('crashcow info where it differs from qemu-img on purpose', () => {
  it('reports the header size in bytes (HDR-12), where qemu-img rounds down to whole sectors', async () => {
    const path = tmp.path('odd-size.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '1M']);
    const bytes = readFileSync(path);
    bytes.writeBigUInt64BE(1048576n + 100n, 24);
    writeFileSync(path, bytes);
    expect((await qemuInfo(path))['virtual-size']).toBe(1048576);
    expect((await crashcowInfo(path))['virtual-size']).toBe(1048676);
  });
});

describe('crashcow info on untrusted or broken input', () => {
  it('never opens the backing or data file, so a missing one does not matter', async () => {
    const base = tmp.path('gone-base.qcow2');
    const top = tmp.path('orphan.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', base, '1M']);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', top]);
    rmSync(base);
    const info = await crashcowInfo(top, ['--no-follow']);
    expect(info['backing-filename']).toBe(base);
  });

  it('reports a file that is not qcow2 as one line naming the rule, exit 1', async () => {
    const path = tmp.path('not-qcow2.bin');
    writeFileSync(path, Buffer.alloc(4096, 0x41));
    const r = await crashcow(['info', path]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/HDR-1/);
  });

  it('reports a missing file as one line, exit 1', async () => {
    const r = await crashcow(['info', tmp.path('missing.qcow2')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a second image argument with a usage error, exit 2', async () => {
    const r = await crashcow(['info', 'a.qcow2', 'b.qcow2']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unexpected argument "b.qcow2"/);
  });
});
