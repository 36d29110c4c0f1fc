/**
 * ClusterRole: what one host cluster of an image holds, as the reference walk (spec/walk) sees it:
 * the structure that references it, or, for a cluster nothing references, free (stored refcount 0)
 * or leaked (stored refcount above 0). A cluster referenced twice keeps the role that comes first
 * in ROLE_NAMES (metadata before data), so a damaged image still gets one role per cluster.
 */
import { SourceKind } from '../walk/reference-source.js';

/** Role names in priority order; a role's id is its index. */
export const ROLE_NAMES = [
  'header',
  'refcount-table',
  'l1',
  'l2',
  'refcount-block',
  'snapshot-table',
  'bitmap',
  'encryption',
  'data',
  'leaked',
  'free',
] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const ROLE_ID: Readonly<Record<RoleName, number>> = Object.fromEntries(ROLE_NAMES.map((n, i) => [n, i])) as Record<RoleName, number>;

/** The value a role byte holds while no reference has reached the cluster. */
export const UNREFERENCED = 255;

const ROLE_OF_KIND: readonly number[] = (() => {
  const out: number[] = [];
  out[SourceKind.header] = ROLE_ID.header;
  out[SourceKind.l1Table] = ROLE_ID.l1;
  out[SourceKind.l2Table] = ROLE_ID.l2;
  out[SourceKind.dataCluster] = ROLE_ID.data;
  out[SourceKind.compressedData] = ROLE_ID.data;
  out[SourceKind.snapshotTable] = ROLE_ID['snapshot-table'];
  out[SourceKind.refcountTable] = ROLE_ID['refcount-table'];
  out[SourceKind.refcountBlock] = ROLE_ID['refcount-block'];
  out[SourceKind.encryptionHeader] = ROLE_ID.encryption;
  out[SourceKind.bitmapDirectory] = ROLE_ID.bitmap;
  out[SourceKind.bitmapTable] = ROLE_ID.bitmap;
  out[SourceKind.bitmapData] = ROLE_ID.bitmap;
  return out;
})();

/** The role id of a cluster referenced as `kind`. */
export function roleOfKind(kind: SourceKind): number {
  return ROLE_OF_KIND[kind];
}
