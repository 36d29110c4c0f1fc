/**
 * The image options coverage counts: for each, the values a campaign may draw (each listed once,
 * from the lists image-options-arb.ts draws from) and the value a run's options took. An option
 * added to FuzzImageOptions is counted by adding its entry here.
 */
import { IMAGE_OPTION_DRAWS, isGrowthProfile } from '../commands/image-options-arb.js';
import { LARGE_PROFILE } from '../commands/image-profile.js';
import { COMPAT_LEVELS, type FuzzImageOptions } from '../image-options.js';

interface OptionCoverage {
  /** Every value the option may take, written as coverage keys are. */
  values: readonly string[];
  /** The value `o` takes. */
  valueOf(o: FuzzImageOptions): string;
}

const MIB = 1 << 20;
const BOOLEANS = ['false', 'true'];

/** Each value once, in ascending order for numbers. */
function distinct(values: ReadonlyArray<string | number>): string[] {
  const unique = [...new Set(values)];
  if (unique.every((v) => typeof v === 'number')) unique.sort((x, y) => (x as number) - (y as number));
  return unique.map(String);
}

/** What backing file covers of the disk: none, all of it, or part of it. */
function backingExtentOf(o: FuzzImageOptions): 'none' | 'whole' | 'part' {
  if (!o.backing) return 'none';
  return o.backing.sizeBytes >= o.virtualSizeBytes ? 'whole' : 'part';
}

/** The options coverage counts, by the name their counts carry. */
export const IMAGE_OPTION_COVERAGE = {
  clusterSizeBytes: { values: distinct([...IMAGE_OPTION_DRAWS.clusterSizeBytes, LARGE_PROFILE.clusterSizeBytes]), valueOf: (o) => String(o.clusterSizeBytes) },
  virtualSizeBytes: { values: distinct([...IMAGE_OPTION_DRAWS.virtualSizeMib.map((n) => n * MIB), LARGE_PROFILE.virtualSizeBytes]), valueOf: (o) => String(o.virtualSizeBytes) },
  refcountBits: { values: distinct(IMAGE_OPTION_DRAWS.refcountBits), valueOf: (o) => String(o.refcountBits) },
  compat: { values: COMPAT_LEVELS, valueOf: (o) => o.compat },
  lazyRefcounts: { values: BOOLEANS, valueOf: (o) => String(o.lazyRefcounts) },
  extendedL2: { values: BOOLEANS, valueOf: (o) => String(o.extendedL2) },
  backing: { values: ['none', ...distinct(IMAGE_OPTION_DRAWS.backingFormat.filter((f) => f !== null))], valueOf: (o) => o.backing?.format ?? 'none' },
  backingExtent: { values: ['none', 'whole', 'part'], valueOf: backingExtentOf },
  cacheMode: { values: distinct(IMAGE_OPTION_DRAWS.cacheMode), valueOf: (o) => o.cacheMode },
  profile: { values: ['small', 'growth', 'large'], valueOf: (o) => o.profile ?? (isGrowthProfile(o) ? 'growth' : 'small') },
  filled: { values: BOOLEANS, valueOf: (o) => String((o.fillBytes ?? 0) > 0) },
} satisfies Record<string, OptionCoverage>;

/** One run's counts: 1 for the value each option took. */
export function imageOptionCounts(o: FuzzImageOptions): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(IMAGE_OPTION_COVERAGE).map(([name, c]: [string, OptionCoverage]) => [name, { [c.valueOf(o)]: 1 }]));
}
