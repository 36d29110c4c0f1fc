/**
 * `crashcow layout` as a user runs it: JSON valid against spec/schemas/layout.schema.json with
 * counts summing to the clusters, findings' clusters broken, usage mistakes and unreadable files
 * told in one line without a stack trace.
 */
import { Ajv } from 'ajv';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashcow } from '../../helpers/crashcow-cli.js';
import { qemuImgOk, qemuIo, tempDir } from '../../helpers/qemu.js';
import { Layout } from '../check/damage.js';

const schema = JSON.parse(readFileSync(new URL('../../../spec/schemas/layout.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tmp = tempDir('crashcow-layout-cli-');
afterAll(() => tmp.cleanup());
const leaky = tmp.path('leaky.qcow2');

beforeAll(async () => {
  await qemuImgOk(['create', '-q', '-f', 'qcow2', leaky, '16M']);
  await qemuIo(leaky, ['write -P 1 0 256k', 'discard 64k 64k']);
  const l = new Layout(leaky);
  l.setStoredRefcount(l.clusterOf(l.dataOffset(0, 0)) + 1, 1);
});

describe('crashcow layout', () => {
  it('prints counts per role and the leaked cluster as broken, schema-valid', async () => {
    const r = await crashcow(['layout', '--output', 'json', leaky]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    expect(Object.values(out.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(out.clusterCount);
    expect(out.counts.leaked).toBe(1);
    const leakedCluster = new Layout(leaky).clusterOf(new Layout(leaky).dataOffset(0, 0)) + 1;
    expect(out.broken.map((b: { clusterIndex: number }) => b.clusterIndex)).toEqual([leakedCluster]);
  });

  it('usage mistakes exit 2 with one line; an unreadable image exits 1', async () => {
    for (const args of [['layout'], ['layout', '--html'], ['layout', '--html', tmp.dir, leaky], ['layout', '--output', 'xml', leaky]]) {
      const r = await crashcow(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const raw = tmp.path('raw.img');
    writeFileSync(raw, new Uint8Array(4096));
    for (const path of [raw, tmp.path('missing.qcow2')]) {
      const r = await crashcow(['layout', path]);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
