/**
 * roleCounts: how many clusters of each role an image has (ClusterRole), from the roles of its
 * clusters. Pure.
 */
import { ROLE_NAMES, type RoleName } from './cluster-role.js';

/** Clusters per role, every role present (zeros included), in ROLE_NAMES order. */
export function roleCounts(roles: Uint8Array): Record<RoleName, number> {
  const byId = new Array<number>(ROLE_NAMES.length).fill(0);
  for (let k = 0; k < roles.length; k++) byId[roles[k]]++;
  return Object.fromEntries(ROLE_NAMES.map((n, i) => [n, byId[i]])) as Record<RoleName, number>;
}
