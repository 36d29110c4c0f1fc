import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { knownDefects, knownFor } from '../../../../src/fuzz/case/known-defects.js';

const corpusDir = fileURLToPath(new URL('../../../../corpus/', import.meta.url));

describe('knownDefects', () => {
  it('lists exactly the corpus cases that still fail, with their signatures', () => {
    const failing = readdirSync(corpusDir)
      .filter((n) => n.endsWith('.json'))
      .filter((n) => JSON.parse(readFileSync(corpusDir + n, 'utf8')).expectation === 'fails');
    const defects = knownDefects(corpusDir);
    expect(defects.map((d) => d.file.slice(corpusDir.length)).sort()).toEqual(failing.sort());
    const l1 = defects.find((d) => d.file.endsWith('builtin-mutant-l1-before-l2.json'))!;
    expect(l1).toMatchObject({ engine: 'builtin', mutants: ['l1-before-l2'], signature: 'P1:AL-4' });
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
