/**
 * `crashcow map` against `qemu-img map` on every image of the cross-check table: the JSON must be
 * deep-equal (same extents, same merging, same depth/present/zero/data/offset), valid against
 * spec/schemas/map.schema.json, and the human output must list what qemu-img's lists.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { qemuImg, qemuImgOk, qemuMap, tempDir } from '../../../helpers/qemu.js';
import { imageCases } from './qemu-image-cases.js';

const schema = JSON.parse(readFileSync(new URL('../../../../spec/schemas/map.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tmp = tempDir('crashcow-map-');
afterAll(() => tmp.cleanup());

describe('crashcow map equals qemu-img map --output=json', () => {
  const paths = new Map<string, string>();
  beforeAll(async () => {
    for (const c of imageCases) paths.set(c.name, await c.build(tmp.dir));
  });

  it.each(imageCases.map((c) => c.name))('%s', async (name) => {
    const path = paths.get(name)!;
    const expected = await qemuMap(path);
    const r = await crashcow(['map', '--output', 'json', path]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const actual = JSON.parse(r.stdout);
    expect(validate(actual), JSON.stringify(validate.errors)).toBe(true);
    expect(actual).toEqual(expected);
  });

  it('human output lists the data extents qemu-img lists, with file names', async () => {
    const path = paths.get('backing chain, 3 levels, raw base')!;
    const expected = await qemuImg(['map', path]);
    const r = await crashcow(['map', path]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(expected.stdout.trimEnd());
    expect(r.stdout.split('\n').length).toBeGreaterThan(3);
  });

  it('human output shows compressed extents that qemu-img refuses to list', async () => {
    const path = paths.get('compressed, zstd')!;
    expect((await qemuImg(['map', path])).exitCode).toBe(1);
    const r = await crashcow(['map', path]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^0 +0x10000 +compressed/m);
  });
});

describe('crashcow map where it differs from qemu-img on purpose', () => {
  it('an empty disk maps to no extents (qemu-img 7.2 prints one extent of length 0, an artifact of its loop)', async () => {
    const path = tmp.path('empty.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', path, '0']);
    expect(await qemuMap(path)).toEqual([{ start: 0, length: 0, depth: 0, present: false, zero: false, data: false }]);
    const r = await crashcow(['map', '--output', 'json', path]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});

describe('crashcow map errors', () => {
  it('--no-follow: a map that needs the backing file is one line naming the file and the option, exit 1', async () => {
    const base = tmp.path('nf-base.qcow2');
    const top = tmp.path('nf-top.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', base, '1M']);
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', top]);
    const r = await crashcow(['map', '--no-follow', '--output', 'json', top]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/backing file ".*nf-base\.qcow2".*--no-follow/);
    expect((await crashcow(['map', '--output', 'json', top])).exitCode).toBe(0);
  });

  it('an image naming itself as backing file is one line, exit 1 (qemu-img 7.2 map loops forever on it)', async () => {
    const self = tmp.path('self.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', self, '1M']);
    await qemuImgOk(['rebase', '-u', '-b', self, '-F', 'qcow2', self]);
    const r = await crashcow(['map', self]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/the backing chain is a cycle/);
  });

  it('a json: backing name is refused, not interpreted (CVE-2024-4467)', async () => {
    const top = tmp.path('json-backed.qcow2');
    await qemuImgOk(['create', '-q', '-f', 'qcow2', '-u', '-b', 'json:{"file":{"driver":"nbd","host":"127.0.0.1"}}', '-F', 'raw', top, '1M']);
    const r = await crashcow(['map', top]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/protocol or json: specification/);
  });

  it('a missing image is one line on stderr and exit 1', async () => {
    const r = await crashcow(['map', tmp.path('nope.qcow2')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  it('a usage mistake exits 2 with the usage line', async () => {
    const r = await crashcow(['map', '--output', 'yaml', 'x.qcow2']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--output must be one of human, json/);
    expect(r.stderr).toMatch(/usage: crashcow map/);
  });
});
