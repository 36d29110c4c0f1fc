/** The damage nemesis: one seed, the same damages; every kind drawn; each applies to the image it was drawn from. */
import { afterAll, describe, expect, it } from 'vitest';
import { drawDamages } from '../../../../src/fuzz/damage/damage-nemesis.js';
import { applyDamage } from '../../../../src/fuzz/damage/damage.js';
import type { FuzzRun } from '../../../../src/fuzz/runner/fuzz-run.js';
import { cleanImageAfter, workload } from './damage-fixture.js';

let run: FuzzRun;
afterAll(() => run?.dispose());

describe('drawDamages', () => {
  it('draws the same damages from the same seed, different ones from another', async () => {
    const r = await cleanImageAfter(workload(true));
    run = r.run;
    const { image, segment } = r.clean;
    expect(drawDamages(image, segment, 11, 6)).toEqual(drawDamages(image, segment, 11, 6));
    expect(drawDamages(image, segment, 11, 6)).not.toEqual(drawDamages(image, segment, 12, 6));
  });

  it('over seeds, draws every kind, aims structure damage at each metadata role, and every damage applies', async () => {
    const { image, segment } = (await cleanImageAfter(workload(true))).clean;
    const kinds = new Set<string>();
    const targets = new Set<string>();
    for (let seed = 0; seed < 30; seed++) {
      const ds = drawDamages(image, segment, seed, 6);
      expect(ds.length).toBe(6);
      expect(new Set(ds.map((d) => d.where)).size).toBe(6);
      for (const d of ds) {
        kinds.add(d.kind);
        if (d.kind === 'bit-flip' || d.kind === 'zeroed-sector') targets.add(d.target);
        expect(d.patches.length + (d.fileSizeBytes !== undefined ? 1 : 0)).toBeGreaterThan(0);
        expect(applyDamage(image, d), d.where).not.toBeNull();
      }
    }
    expect([...kinds].sort()).toEqual(['bit-flip', 'lost-write', 'misdirected-write', 'zeroed-sector']);
    expect([...targets].sort()).toEqual(['header', 'l1', 'l2', 'refcount-block', 'refcount-table', 'snapshot-table']);
  });
});
