/**
 * The image options coverage counts: every value the generator draws is a known value of its
 * option, every known value is drawn, and a run counts exactly one value of each option.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageOptionsArb } from '../../../../src/fuzz/commands/image-options-arb.js';
import { IMAGE_OPTION_COVERAGE, imageOptionCounts } from '../../../../src/fuzz/coverage/image-option-coverage.js';
import type { FuzzImageOptions } from '../../../../src/fuzz/image-options.js';

describe('image option coverage', () => {
  it('knows every value the generator draws, and the generator draws every known value', () => {
    const seen = new Map<string, Set<string>>();
    // The large profile is drawn one run in thousands: a few fixed draws of it join the sample.
    const drawn = [...fc.sample(imageOptionsArb(), { numRuns: 2000, seed: 3 }), ...fc.sample(imageOptionsArb({ profile: 'large' }), { numRuns: 5, seed: 3 })];
    for (const o of drawn) {
      const counts = imageOptionCounts(o);
      for (const [name, values] of Object.entries(counts)) {
        expect(Object.values(values), name).toEqual([1]);
        for (const v of Object.keys(values)) seen.set(name, (seen.get(name) ?? new Set()).add(v));
      }
    }
    for (const [name, option] of Object.entries(IMAGE_OPTION_COVERAGE)) {
      const values = [...(seen.get(name) ?? [])];
      for (const v of values) expect(option.values, name).toContain(v);
      // Fill is fixed by benchmarks and by the large profile, drawn here too.
      expect(values.sort(), name).toEqual([...option.values].sort());
    }
  });

  it('names each value as the options hold it', () => {
    const o: FuzzImageOptions = { virtualSizeBytes: 4 << 20, clusterSizeBytes: 512, refcountBits: 64, compat: '1.1', lazyRefcounts: true, extendedL2: false, backing: { format: 'raw', sizeBytes: 2 << 20 }, cacheMode: 'writethrough', fillBytes: 4096 };
    expect(imageOptionCounts(o)).toEqual({
      clusterSizeBytes: { '512': 1 },
      virtualSizeBytes: { '4194304': 1 },
      refcountBits: { '64': 1 },
      compat: { '1.1': 1 },
      lazyRefcounts: { true: 1 },
      extendedL2: { false: 1 },
      backing: { raw: 1 },
      backingExtent: { part: 1 },
      cacheMode: { writethrough: 1 },
      profile: { growth: 1 },
      filled: { true: 1 },
    });
  });
});
