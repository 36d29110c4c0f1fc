/**
 * The image profiles a run is drawn in (`crashcow fuzz --profile`): `small` (the small disks of
 * every cluster size, refcount width and feature), `growth` (512-byte clusters and 64-bit
 * refcounts on a 4 MiB disk, where bulk writes grow the refcount table) and `large` (a 1 GiB disk
 * already populated when the run starts: about 100,000 allocated clusters, snapshots of them and a
 * refcount table of more than one cluster, so metadata no longer fits in QEMU's caches).
 */
import type { ImageProfile } from '../image-options.js';

export const IMAGE_PROFILES: readonly ImageProfile[] = ['small', 'growth', 'large'];

/** True for a profile name. */
export function isImageProfile(name: string): name is ImageProfile {
  return (IMAGE_PROFILES as readonly string[]).includes(name);
}

const MIB = 1 << 20;

/**
 * The large profile's shape. 1 KiB clusters put 100 MiB of fill in 102,400 data clusters, and a
 * refcount table cluster (128 entries of 512 refcounts of 16 bits) covers 64 MiB of the file, so
 * the fill alone grows the table to two clusters. 16-bit refcounts hold the fill's snapshots and a
 * run's own. The fill is written through the engine in 1 MiB pieces (fill-image.ts).
 */
export const LARGE_PROFILE = {
  virtualSizeBytes: 1024 * MIB,
  clusterSizeBytes: 1024,
  refcountBits: 16,
  fillBytes: 100 * MIB,
  fillSnapshots: 3,
} as const;

/**
 * One run in this many is drawn in the large profile (where no flag fixes the profile). A state
 * of a large run costs about a thousand times as much to judge as one of a small run (durability
 * reads every allocated sector of the disk and of each snapshot, and the checks walk 100,000
 * clusters), and its image takes seconds to make, so the profile stays rare enough that large
 * runs take a minor share of a campaign's CPU time; `npm run bench:fuzz` prints the cost per
 * state of each profile and that share. `--profile large` runs nothing else.
 */
export const LARGE_ONE_IN = 4000;

