/**
 * `crashcow map` against `qemu-img map` on every image of the cross-check table: the JSON must be
 * deep-equal (same extents, same merging, same depth/present/zero/data/offset), valid against
 * spec/schemas/map.schema.json, and the human output must list what qemu-img's lists.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../../helpers/crashcow-cli.js';
import { qemuImg, qemuMap, tempDir } from '../../../helpers/qemu.js';
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

describe('crashcow map errors', () => {
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
