/**
 * The image options of a run, drawn from the seed unless fixed: cluster size (small ones more
 * often: their crash states are cheaper), refcount width, compat level, lazy refcounts, extended L2
 * entries, a backing file (raw or qcow2, covering all or part of the disk) and the cache mode; now
 * and then the growth profile (GROWTH_ONE_IN) or the large one (LARGE_ONE_IN), unless a flag
 * fixes the profile.
 */
import fc from 'fast-check';
import { snapshotsAllowed, type BackingFormat, type FuzzImageOptions, type ImageProfile } from '../image-options.js';
import { LARGE_ONE_IN, LARGE_PROFILE } from './image-profile.js';

/** What flags may fix; everything else is drawn. */
export interface FixedImageOptions {
  /** The profile every run takes (`--profile`); absent: drawn (growth and large now and then). */
  profile?: ImageProfile;
  lazyRefcounts?: boolean;
  cacheMode?: FuzzImageOptions['cacheMode'];
  clusterSizeBytes?: number;
  refcountBits?: number;
  /**
   * False: the growth and large profiles are never drawn (targets with opaque recoveries, QEMU:
   * see GROWTH_ONE_IN); a fixed `profile` still applies.
   */
  growth?: boolean;
  /** The virtual disk size (no flag: benchmarks' image profiles); fixing it rules out the growth and large profiles. */
  virtualSizeBytes?: number;
  /** FuzzImageOptions.fillBytes: the guest bytes populated before the run (benchmarks' image profiles). */
  fillBytes?: number;
}

const MIB = 1 << 20;

/** The values each option is drawn from, a value listed twice drawn twice as often (coverage lists each value once). */
export const IMAGE_OPTION_DRAWS = {
  clusterSizeBytes: [512, 4096, 4096, 16384, 65536],
  virtualSizeMib: [1, 2, 4, 8],
  refcountBits: [16, 16, 16, 1, 2, 4, 8, 32, 64, 64],
  backingFormat: [null, null, 'raw', 'qcow2'],
  cacheMode: ['writeback', 'writethrough'],
} as const satisfies { backingFormat: ReadonlyArray<BackingFormat | null>; cacheMode: ReadonlyArray<FuzzImageOptions['cacheMode']>; [name: string]: ReadonlyArray<unknown> };

/**
 * One run in this many takes the growth profile: 512-byte clusters, 64-bit refcounts and a 4 MiB
 * disk, where a refcount block covers 32 KiB and the first refcount table 2 MiB. Its bulk writes
 * always pass 2 MiB (bulkBytesOf), so a run with one reaches refcount-table growth (ORD-7), which
 * the other options almost never do. Built-in engine only: QEMU recovers each crash state in a
 * process of its own, and an epoch of thousands of 512-byte cluster writes would start a process
 * for each of thousands of crash states. The cost: the crash after such a write judges a thousand states or more of
 * a 4,000-cluster image, each far slower to judge than the states of other runs, so growth runs
 * must stay rare enough not to take most of a campaign's CPU, yet common enough that a short
 * campaign reaches reftable growth (the reftable-switch-early mutant) early; `npm run bench:fuzz`
 * shows both.
 */
export const GROWTH_ONE_IN = 20;

/** True for options of the growth profile's shape (bulk writes then reach further). */
export function isGrowthProfile(o: Pick<FuzzImageOptions, 'clusterSizeBytes' | 'refcountBits' | 'virtualSizeBytes'>): boolean {
  return o.clusterSizeBytes === 512 && o.refcountBits === 64 && o.virtualSizeBytes === 4 * MIB;
}

/** The options of one run; its profile is drawn with them unless `fixed.profile` is given. */
export function imageOptionsArb(fixed: FixedImageOptions = {}): fc.Arbitrary<FuzzImageOptions> {
  return smallOrGrowthArb(fixed).map(({ profile, options }) => (profile === 'large' ? largeOf(options, fixed) : options));
}

/** The profile of a run: fixed, else small, growth one run in GROWTH_ONE_IN and large one in LARGE_ONE_IN. */
function profileArb(fixed: FixedImageOptions): fc.Arbitrary<ImageProfile> {
  if (fixed.profile !== undefined) return fc.constant(fixed.profile);
  if (fixed.growth === false || fixed.virtualSizeBytes !== undefined) return fc.constant('small');
  // Without noBias, fast-check's bias towards small integers made "one in 32" one run in 9.5. The
  // large profile sits at the top of its range: fast-check shrinks integers towards 0, so a failure
  // shrinks away from the large image rather than into it (each step would rebuild 100 MiB).
  return fc
    .tuple(fc.noBias(fc.integer({ min: 0, max: GROWTH_ONE_IN - 1 })), fc.noBias(fc.integer({ min: 0, max: LARGE_ONE_IN - 1 })))
    .map(([g, l]): ImageProfile => (l === LARGE_ONE_IN - 1 ? 'large' : g === 0 ? 'growth' : 'small'));
}

/** The large profile over drawn options: its shape (flags still fix cluster size and refcount width), v3, no backing file. */
function largeOf(o: FuzzImageOptions, fixed: FixedImageOptions): FuzzImageOptions {
  const out: FuzzImageOptions = {
    ...o,
    profile: 'large',
    virtualSizeBytes: LARGE_PROFILE.virtualSizeBytes,
    clusterSizeBytes: fixed.clusterSizeBytes ?? LARGE_PROFILE.clusterSizeBytes,
    refcountBits: fixed.refcountBits ?? LARGE_PROFILE.refcountBits,
    compat: '1.1',
    lazyRefcounts: fixed.lazyRefcounts ?? o.lazyRefcounts,
    backing: null,
    fillBytes: LARGE_PROFILE.fillBytes,
  };
  out.extendedL2 = o.extendedL2 && out.clusterSizeBytes >= 16384;
  if (snapshotsAllowed(out)) out.fillSnapshots = LARGE_PROFILE.fillSnapshots;
  return out;
}

/** The drawn profile with the options of the small or growth profile (largeOf reshapes them for the large one). */
function smallOrGrowthArb(fixed: FixedImageOptions): fc.Arbitrary<{ profile: ImageProfile; options: FuzzImageOptions }> {
  return fc
    .record({
      clusterSizeBytes: fixed.clusterSizeBytes !== undefined ? fc.constant(fixed.clusterSizeBytes) : fc.constantFrom(...IMAGE_OPTION_DRAWS.clusterSizeBytes),
      virtualSizeBytes: fixed.virtualSizeBytes !== undefined ? fc.constant(fixed.virtualSizeBytes) : fc.constantFrom(...IMAGE_OPTION_DRAWS.virtualSizeMib).map((n) => n * MIB),
      refcountBits: fixed.refcountBits !== undefined ? fc.constant(fixed.refcountBits) : fc.constantFrom(...IMAGE_OPTION_DRAWS.refcountBits),
      v2: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      lazy: fixed.lazyRefcounts !== undefined ? fc.constant(fixed.lazyRefcounts) : fc.boolean(),
      extendedL2: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      backing: fc.constantFrom(...IMAGE_OPTION_DRAWS.backingFormat),
      backingHalf: fc.boolean(),
      cacheMode: fixed.cacheMode !== undefined ? fc.constant(fixed.cacheMode) : fc.constantFrom(...IMAGE_OPTION_DRAWS.cacheMode),
      profile: profileArb(fixed),
    })
    .map((r) => ({ ...r, growth: r.profile === 'growth' }))
    // The shape alone marks the profile (isGrowthProfile, which replays rely on): other draws of
    // that shape (about one in 100) get an 8 MiB disk.
    .map((r) => (r.growth ? { ...r, v2: false, virtualSizeBytes: 4 * MIB, clusterSizeBytes: fixed.clusterSizeBytes ?? 512, refcountBits: fixed.refcountBits ?? 64 } : isGrowthProfile(r) && fixed.virtualSizeBytes === undefined ? { ...r, virtualSizeBytes: 8 * MIB } : r))
    .filter((r) => !(r.v2 && (fixed.lazyRefcounts === true || (fixed.refcountBits !== undefined && fixed.refcountBits !== 16))))
    .map((r) => {
      const v3 = !r.v2;
      const backingBytes = r.backingHalf ? Math.max(r.clusterSizeBytes, r.virtualSizeBytes / 2) : r.virtualSizeBytes;
      const options: FuzzImageOptions = {
        profile: r.profile === 'growth' ? 'growth' : 'small',
        virtualSizeBytes: r.virtualSizeBytes,
        clusterSizeBytes: r.clusterSizeBytes,
        refcountBits: v3 ? r.refcountBits : 16,
        compat: v3 ? '1.1' : '0.10',
        lazyRefcounts: v3 && r.lazy,
        extendedL2: v3 && r.extendedL2 && r.clusterSizeBytes >= 16384,
        backing: r.backing ? { format: r.backing, sizeBytes: backingBytes } : null,
        cacheMode: r.cacheMode,
        ...(fixed.fillBytes ? { fillBytes: Math.min(fixed.fillBytes, r.virtualSizeBytes) } : {}),
      };
      return { profile: r.profile, options };
    });
}
