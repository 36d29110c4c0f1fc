/**
 * clusterMapData: what a page's cluster map draws, as data for the page's script: the roles of the
 * image's host clusters (spec/layout), aggregated into at most CELL_COUNT_MAX cells, each cell a
 * range of clusters with its roles' counts (dominant first); identical neighbouring cells are one
 * run, so a large image with long uniform stretches stays small. Also the broken clusters and, for
 * small images, a hover label per cluster.
 */
import { ROLE_NAMES } from '../../spec/layout/cluster-role.js';
import type { BrokenCluster } from '../../spec/layout/broken-clusters.js';
import type { ClusterRoles } from '../../spec/layout/cluster-roles.js';

/** Cells a map draws at most: a 256 x 128 grid, which keeps a worst-case page near 1 MiB. */
export const CELL_COUNT_MAX = 32768;

/** Clusters labelled one by one at most: labels are text, and a larger image is drawn aggregated anyway. */
export const LABELLED_CLUSTERS_MAX = 4096;

export interface ClusterMapData {
  clusterSizeBytes: number;
  fileSizeBytes: number;
  clusterCount: number;
  clustersPerCell: number;
  /** Role names; a role id is an index here. */
  roles: readonly string[];
  /** [cell count, composition]: the composition is "roleId:clusters" pairs, comma-separated, dominant first. */
  runs: Array<[number, string]>;
  broken: BrokenCluster[];
  /** [cluster index, text] for the clusters with a label (small images only). */
  labels: Array<[number, string]>;
  /** False when the walk could not finish: some roles are missing. */
  complete: boolean;
}

/** The map of `roles`, marking `broken`, with `labels` (cluster index -> lines) kept when the image is small. */
export function clusterMapData(roles: ClusterRoles, broken: BrokenCluster[], labels: ReadonlyMap<number, string[]>): ClusterMapData {
  const r = roles.roles;
  const clustersPerCell = Math.max(1, Math.ceil(r.length / CELL_COUNT_MAX));
  const runs: Array<[number, string]> = [];
  const counts = new Int32Array(ROLE_NAMES.length);
  for (let first = 0; first < r.length; first += clustersPerCell) {
    const end = Math.min(first + clustersPerCell, r.length);
    const composition = compositionOf(r, first, end, counts);
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === composition) last[0]++;
    else runs.push([1, composition]);
  }
  const kept: Array<[number, string]> = [];
  if (r.length <= LABELLED_CLUSTERS_MAX) for (const [k, lines] of [...labels].sort((a, b) => a[0] - b[0])) if (k < r.length) kept.push([k, lines.join('\n')]);
  return {
    clusterSizeBytes: roles.clusterSizeBytes,
    fileSizeBytes: roles.fileSizeBytes,
    clusterCount: r.length,
    clustersPerCell,
    roles: ROLE_NAMES,
    runs,
    broken,
    labels: kept,
    complete: roles.complete,
  };
}

/** "id:count,..." of clusters [first, end), the most frequent role first (ties: lower id first). */
function compositionOf(roles: Uint8Array, first: number, end: number, counts: Int32Array): string {
  const role = roles[first];
  let k = first + 1;
  while (k < end && roles[k] === role) k++;
  if (k === end) return `${role}:${end - first}`;
  counts.fill(0);
  for (let j = first; j < end; j++) counts[roles[j]]++;
  const ids: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) ids.push(i);
  ids.sort((a, b) => counts[b] - counts[a] || a - b);
  return ids.map((i) => `${i}:${counts[i]}`).join(',');
}
