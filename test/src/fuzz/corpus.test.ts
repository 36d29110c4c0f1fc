/**
 * Every case in corpus/ replays to its recorded expectation: `fails` (the defect is still there:
 * the same property breaks again) or `passes` (fixed). A built-in case that needs a mutant must
 * also pass without it, so each mutant case proves that the fuzzer tells the mutant from the
 * engine. corpus/README.md must list every case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCase } from '../../../src/fuzz/case/fuzz-case.js';
import { replayCase } from '../../../src/fuzz/case/replay-case.js';
import { makeTarget } from '../../../src/fuzz/target/make-target.js';
import type { MutantName } from '../../../src/engine/mutants.js';

const corpusDir = fileURLToPath(new URL('../../../corpus/', import.meta.url));
const files = readdirSync(corpusDir).filter((f) => f.endsWith('.json')).sort();

describe('corpus', () => {
  it('is indexed by corpus/README.md', () => {
    const readme = readFileSync(join(corpusDir, 'README.md'), 'utf8');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readme, f).toContain(`(${f})`);
  });

  for (const file of files) {
    it(`${file} replays as recorded`, async () => {
      const c = readCase(join(corpusDir, file));
      expect(c.name).toBe(file.replace(/\.json$/, ''));
      const target = await makeTarget(c.engine.name, c.engine.mutants as MutantName[]);
      try {
        const r = await replayCase(c, target, file);
        expect(r.reproduced, `${file}: ${r.violation?.summary ?? 'no violation'}`).toBe(c.expectation === 'fails');
        if (r.reproduced && c.crash) expect(r.storageOpCount).toBe(c.crash.storageOpCount);
      } finally {
        await target.dispose();
      }
      if (c.engine.mutants.length > 0) {
        const plain = await makeTarget(c.engine.name);
        try {
          expect((await replayCase(c, plain, file)).reproduced, `${file} without its mutant`).toBe(false);
        } finally {
          await plain.dispose();
        }
      }
    });
  }
});
