/**
 * `--baseline` and `--fail-on` as parsed: the two baseline forms, the usage errors (unknown form,
 * empty `qemu:` folder, a baseline of another engine, `--fail-on regression` without a baseline),
 * a `qemu:DIR` without QEMU reported naming the path, and which classes set exit 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { failOnOf, failsOn, resolveBaselineOrReport } from '../../../src/cli/baseline-flag.js';
import { parseArgs } from '../../../src/cli/parse-args.js';
import { pathQemuDir } from '../../helpers/qemu.js';

const args = (...argv: string[]) => parseArgs(argv, [{ name: 'baseline', takesValue: true }, { name: 'fail-on', takesValue: true }]);
const empty = mkdtempSync(join(tmpdir(), 'crashcow-baseline-flag-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('--baseline', () => {
  it('is absent, the built-in engine, or a QEMU folder whose version line it carries', async () => {
    expect(await resolveBaselineOrReport('fuzz', args(), 'builtin')).toBeUndefined();
    expect(await resolveBaselineOrReport('fuzz', args('--baseline', 'builtin'), 'builtin')).toEqual({ spec: 'builtin', engine: 'builtin', version: 'crashcow-builtin 0.1.0' });
    const spec = `qemu:${pathQemuDir()}`;
    const q = await resolveBaselineOrReport('replay', args('--baseline', spec), null);
    expect(q).toMatchObject({ spec, engine: 'qemu', qemu: { img: join(pathQemuDir(), 'qemu-img'), io: join(pathQemuDir(), 'qemu-io') } });
    expect(q!.version).toMatch(/^qemu-io version \d+\.\d+\.\d+/);
  });

  it('is a usage error for an unknown form, an empty folder, or another engine than the one judged', async () => {
    await expect(resolveBaselineOrReport('fuzz', args('--baseline', 'qemu-7.2'), 'qemu')).rejects.toMatchObject({ code: 'USAGE_ERROR', message: expect.stringContaining('--baseline must be "builtin" or "qemu:DIR"') });
    await expect(resolveBaselineOrReport('fuzz', args('--baseline', 'qemu:'), 'qemu')).rejects.toMatchObject({ code: 'USAGE_ERROR', message: expect.stringContaining('needs the folder') });
    await expect(resolveBaselineOrReport('fuzz', args('--baseline', 'builtin'), 'qemu')).rejects.toMatchObject({ code: 'USAGE_ERROR', message: expect.stringContaining('the engine judged is qemu') });
    await expect(resolveBaselineOrReport('fuzz', args('--baseline', `qemu:${empty}`), 'builtin')).rejects.toMatchObject({ code: 'USAGE_ERROR', message: expect.stringContaining('the engine judged is builtin') });
  });

  it('reports a qemu: folder without qemu-img naming the path (the caller exits 2)', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await resolveBaselineOrReport('fuzz', args('--baseline', `qemu:${empty}`), 'qemu')).toBeNull();
      expect(String(stderr.mock.calls[0]?.[0])).toContain(`crashcow fuzz: --baseline qemu:${empty}: ${join(empty, 'qemu-img')} not found`);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('--fail-on', () => {
  it('defaults to any and needs a baseline for regression', () => {
    expect(failOnOf(args())).toBe('any');
    expect(failOnOf(args('--baseline', 'builtin', '--fail-on', 'regression'))).toBe('regression');
    expect(() => failOnOf(args('--fail-on', 'regression'))).toThrow('--fail-on regression needs --baseline');
    expect(() => failOnOf(args('--baseline', 'builtin', '--fail-on', 'new'))).toThrow('--fail-on must be one of any, regression');
  });

  it('fails on any failure with any, only on a regression with regression', () => {
    expect(failsOn('any', [])).toBe(false);
    expect(failsOn('any', [undefined])).toBe(true);
    expect(failsOn('any', ['pre-existing'])).toBe(true);
    expect(failsOn('regression', ['pre-existing', 'diverged'])).toBe(false);
    expect(failsOn('regression', ['pre-existing', 'regression'])).toBe(true);
  });
});
