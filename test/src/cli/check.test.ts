/**
 * `crashcow check` as a user runs it (the compiled CLI): exit codes, JSON validated against
 * spec/schemas/check.schema.json, the human summary, usage errors without stack traces, and that
 * check never writes the image.
 */
import { Ajv } from 'ajv';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout } from '../check/damage.js';

const schema = JSON.parse(readFileSync(new URL('../../../spec/schemas/check.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tmp = tempDir('crashcow-check-cli-');
afterAll(() => tmp.cleanup());

const clean = tmp.path('clean.qcow2');
const leaky = tmp.path('leaky.qcow2');
const corrupt = tmp.path('corrupt.qcow2');
const notQcow2 = tmp.path('not.qcow2');

beforeAll(async () => {
  for (const p of [clean, leaky, corrupt]) {
    await qemuImgOk(['create', '-q', '-f', 'qcow2', p, '16M']);
    await qemuIo(p, ['write -P 1 0 256k', 'discard 64k 64k']);
  }
  const l = new Layout(leaky);
  l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)) + 1, 1); // the discarded cluster: a leak
  const c = new Layout(corrupt);
  c.setStoredRefcount(c.clusterOf(c.dataOffset(0, 0)), 0); // a referenced cluster with refcount 0
  writeFileSync(notQcow2, 'this is not an image\n');
});

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('crashcow check CLI', () => {
  it.each([
    ['clean', () => clean, 0, 'No errors were found on the image.'],
    ['leaks only', () => leaky, 3, '1 leaked clusters were found on the image.'],
    ['corruptions', () => corrupt, 2, 'errors were found on the image.'],
    ['not a qcow2 image', () => notQcow2, 1, 'check errors'],
  ])('%s: exit code and human summary', async (_n, path, code, summary) => {
    const r = await crashcow(['check', path()]);
    expect(r.exitCode, r.stderr).toBe(code);
    expect(r.stdout).toContain(summary);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('JSON output validates against the schema, with every counter present', async () => {
    for (const [path, code] of [[clean, 0], [leaky, 3], [corrupt, 2], [notQcow2, 1]] as const) {
      const r = await crashcow(['check', '--output', 'json', path]);
      expect(r.exitCode).toBe(code);
      const json = JSON.parse(r.stdout);
      expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
      expect(json.filename).toBe(path);
    }
  });

  it('a finding names the rule and where: the refcount-0 cluster and who references it', async () => {
    const json = JSON.parse((await crashcow(['check', '--output=json', corrupt])).stdout);
    const rc6 = json.findings.find((f: { rule: string; kind: string }) => f.rule === 'RC-6' && f.kind === 'corruption');
    expect(rc6.where).toMatch(/^cluster \d+ @0x[0-9a-f]+$/);
    expect(rc6.detail).toMatch(/refcount=0 reference=1.*referenced by L1\[0\] L2 entry 0/);
    expect(json.findings.some((f: { rule: string }) => f.rule === 'L2-2')).toBe(true);
  });

  it('never writes the image', async () => {
    const before = [sha256(corrupt), statSync(corrupt).mtimeMs];
    await crashcow(['check', corrupt]);
    expect([sha256(corrupt), statSync(corrupt).mtimeMs]).toEqual(before);
  });

  it.each([
    [['check'], /missing IMAGE/],
    [['check', '--output', 'xml', clean], /--output must be one of human, json/],
    [['check', '-r', 'bogus', clean], /-r must be leaks or all|repair .* is not available yet/],
    [['check', '--frobnicate', clean], /unknown option --frobnicate/],
    [['check', tmp.path('missing.qcow2')], /ENOENT/],
  ])('user mistake %j: one line, exit 1, no stack trace', async (args, message) => {
    const r = await crashcow(args as string[]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
