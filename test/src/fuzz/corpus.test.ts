/**
 * Every case in corpus/ replays to what it records for the version it runs on ("builtin", or the
 * QEMU of CRASHCOW_QEMU_DIR, else PATH): `fails` (the defect is still there: the same property
 * breaks again), `passes` (fixed) or `diverges`. A QEMU version the case has no record for is
 * skipped, saying so. A built-in case that needs a mutant must also pass without it, so each mutant
 * case proves that the fuzzer tells the mutant from the engine. corpus/README.md must list every case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectationFor, versionKeyOf } from '../../../src/fuzz/case/case-expectations.js';
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
    it(`${file} replays as recorded`, async (ctx) => {
      const c = readCase(join(corpusDir, file));
      expect(c.name).toBe(file.replace(/\.json$/, ''));
      expect(c.expectation, 'the corpus is recorded per version (crashcow corpus --record)').toBeUndefined();
      const target = await makeTarget(c.engine.name, c.engine.mutants as MutantName[]);
      try {
        const versionKey = versionKeyOf(target.engineVersion);
        const expected = expectationFor(c, versionKey);
        if (expected === undefined) {
          console.warn(`SKIPPED ${file}: no record for ${target.engineVersion} (crashcow corpus --record writes one)`);
          ctx.skip(`no record for version ${versionKey}`);
          return;
        }
        const r = await replayCase(c, target, file);
        const did = r.reproduced ? 'fails' : r.diverged !== undefined ? 'diverges' : 'passes';
        expect(did, `${file} on ${versionKey}: ${r.diverged ?? r.violation?.summary ?? 'no violation'}`).toBe(expected.verdict);
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
