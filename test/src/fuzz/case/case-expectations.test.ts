/**
 * Per-version records of a case: version keys from engine versions, the old single `expectation`
 * read as the record of the version the case was made with, and recording measured verdicts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asRecorded, compareVersionKeys, expectationFor, versionKeyOf, withExpectations } from '../../../../src/fuzz/case/case-expectations.js';
import { assertValidCase, type FuzzCase } from '../../../../src/fuzz/case/fuzz-case.js';

const qemuCase = JSON.parse(readFileSync(new URL('../../../../corpus/qemu-snapshot-apply-copied-window.json', import.meta.url), 'utf8')) as FuzzCase;
/** The same case in its older form: one `expectation`, for the version it was made with (7.2.22). */
const legacy = { ...qemuCase, expectations: undefined, expectation: 'passes' } as FuzzCase;
delete (legacy as Partial<FuzzCase>).expectations;

describe('case expectations', () => {
  it('keys versions by engine: "builtin", or the x.y.z of a QEMU version line', () => {
    expect(versionKeyOf('crashcow-builtin 0.1.0 (mutants: l1-before-l2)')).toBe('builtin');
    expect(versionKeyOf('qemu-io 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)')).toBe('7.2.22');
    expect(versionKeyOf('qemu-io version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)')).toBe('10.0.2');
    expect(versionKeyOf('qemu-io version 10.1.50 (v10.1.0-1234-gabcdef)')).toBe('10.1.50');
  });

  it('reads the old `expectation` as the record of the version the case was made with, and no other', () => {
    expect(expectationFor(legacy, '7.2.22')).toEqual({ verdict: 'passes', legacy: true });
    expect(expectationFor(legacy, '10.0.2')).toBeUndefined();
    expect(expectationFor({ ...legacy, expectations: { '7.2.22': 'fails' } }, '7.2.22'), 'a per-version record wins').toEqual({ verdict: 'fails', legacy: false });
  });

  it('accepts a diverged replay for an old `passes`, and only the same verdict for a per-version record', () => {
    expect(asRecorded({ verdict: 'passes', legacy: true }, 'diverges')).toBe(true);
    expect(asRecorded({ verdict: 'passes', legacy: true }, 'fails')).toBe(false);
    expect(asRecorded({ verdict: 'passes', legacy: false }, 'diverges')).toBe(false);
    expect(asRecorded({ verdict: 'diverges', legacy: false }, 'diverges')).toBe(true);
    expect(asRecorded({ verdict: 'fails', legacy: false }, 'passes')).toBe(false);
  });

  it('records measured verdicts over the old field, in its place, versions in order, and stays a valid case', () => {
    const recorded = withExpectations(legacy, { '10.0.2': 'fails', '7.2.22': 'fails' });
    expect(recorded.expectation).toBeUndefined();
    expect(Object.entries(recorded.expectations!)).toEqual([['7.2.22', 'fails'], ['10.0.2', 'fails']]);
    const keys = Object.keys(recorded);
    expect(keys.indexOf('expectations')).toBe(Object.keys(legacy).indexOf('expectation'));
    expect(() => assertValidCase(JSON.parse(JSON.stringify(recorded)), 'recorded')).not.toThrow();
    const kept = withExpectations(recorded, { '7.2.22': 'passes' });
    expect(kept.expectations).toEqual({ '7.2.22': 'passes', '10.0.2': 'fails' });
    expect(['10.0.2', 'builtin', '7.2.22', '9.2.0'].sort(compareVersionKeys)).toEqual(['builtin', '7.2.22', '9.2.0', '10.0.2']);
  });

  it('accepts old cases and rejects a case with no record at all', () => {
    expect(() => assertValidCase(JSON.parse(JSON.stringify(legacy)), 'legacy')).not.toThrow();
    const none = JSON.parse(JSON.stringify(legacy));
    delete none.expectation;
    expect(() => assertValidCase(none, 'none')).toThrow(/not a valid crashcow case/);
    expect(() => assertValidCase({ ...none, expectations: { '7.2.22': 'maybe' } }, 'bad')).toThrow(/not a valid crashcow case/);
  });
});
