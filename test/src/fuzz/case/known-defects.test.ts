import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { knownDefects, knownFor } from '../../../../src/fuzz/case/known-defects.js';

const corpusDir = fileURLToPath(new URL('../../../../corpus/', import.meta.url));

describe('knownDefects', () => {
  it('lists exactly the corpus cases that still fail on the version they were made with, with their signatures', () => {
    const failing = readdirSync(corpusDir)
      .filter((n) => n.endsWith('.json'))
      .filter((n) => {
        const c = JSON.parse(readFileSync(corpusDir + n, 'utf8'));
        return c.engine.name === 'builtin' ? c.expectations.builtin === 'fails' : c.expectations['7.2.22'] === 'fails';
      });
    expect(failing.length).toBeGreaterThan(0);
    const defects = knownDefects(corpusDir);
    expect(defects.map((d) => d.file.slice(corpusDir.length)).sort()).toEqual(failing.sort());
    const l1 = defects.find((d) => d.file.endsWith('builtin-mutant-l1-before-l2.json'))!;
    expect(l1).toMatchObject({ engine: 'builtin', mutants: ['l1-before-l2'], signature: 'P1:AL-4' });
  });

  it('reads the record of the version asked for, and the recorded version when that one has none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crashcow-known-'));
    try {
      const base = JSON.parse(readFileSync(corpusDir + 'qemu-snapshot-apply-copied-window.json', 'utf8'));
      writeFileSync(join(dir, 'fixed-in-10.json'), JSON.stringify({ ...base, expectations: { '7.2.22': 'fails', '10.0.2': 'passes' } }));
      writeFileSync(join(dir, 'legacy.json'), JSON.stringify({ ...base, expectations: undefined, expectation: 'fails' }));
      const names = (key?: string) => knownDefects(dir, key).map((d) => d.file.slice(dir.length + 1));
      expect(names('7.2.22')).toEqual(['fixed-in-10.json', 'legacy.json']);
      expect(names('10.0.2'), 'a defect fixed in 10.0.2 is not known there; one without a record for it is').toEqual(['legacy.json']);
      expect(names()).toEqual(['fixed-in-10.json', 'legacy.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches a campaign only with the same engine and the same mutants', () => {
    const d = { file: 'x.json', engine: 'builtin' as const, mutants: ['a', 'b'], signature: 'P1:AL-4' };
    expect(knownFor(d, 'builtin', ['b', 'a'])).toBe(true);
    expect(knownFor(d, 'builtin', ['a'])).toBe(false);
    expect(knownFor(d, 'builtin', ['a', 'b', 'c'])).toBe(false);
    expect(knownFor(d, 'qemu', ['a', 'b'])).toBe(false);
    expect(knownFor({ ...d, mutants: [] }, 'builtin', [])).toBe(true);
  });
});
