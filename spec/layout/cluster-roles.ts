/**
 * clusterRoles: the role of every host cluster of an image file (ClusterRole), read through the
 * same stages and reference walk the checker runs (spec/walk), with the stored refcounts telling
 * free clusters from leaked ones. Takes a ByteSource; gives one role byte per cluster of the file.
 * Never throws on a damaged image: a stage that gives up leaves the roles as far as it got, and an
 * image whose cluster 0 cannot be read gives null. Pure: reads the source only.
 */
import type { ByteSource } from '../format/byte-source.js';
import { safely } from '../format/format-error.js';
import { TableView } from '../format/table-view.js';
import { bitmapStage } from '../walk/bitmap-stage.js';
import { checkImageOf } from '../walk/check-image-context.js';
import { checkLimits } from '../walk/check-limits.js';
import { FindingSink } from '../walk/finding-sink.js';
import { OnDiskRefcounts } from '../walk/on-disk-refcounts.js';
import { openStage } from '../walk/open-stage.js';
import { walkReferences } from '../walk/reference-walk.js';
import { readReftable } from '../walk/reftable-reader.js';
import { snapshotStage } from '../walk/snapshot-stage.js';
import { walkStateOf } from '../walk/walk-state.js';
import { ROLE_ID, UNREFERENCED } from './cluster-role.js';
import { RoleSink } from './role-sink.js';

export interface ClusterRoles {
  clusterSizeBytes: number;
  fileSizeBytes: number;
  /** One role id (ROLE_NAMES index) per cluster of the file, ceil(file size / cluster size) of them. */
  roles: Uint8Array;
  /** False when the walk stopped early (a stage gave up, the scan budget ran out): some roles are missing. */
  complete: boolean;
}

/** The roles of the clusters of the image behind `source`; null when cluster 0 cannot be interpreted or the file has too many clusters. */
export function clusterRoles(source: ByteSource): ClusterRoles | null {
  const findings = new FindingSink(0);
  const meta = safely(() => openStage(source, findings));
  if (!meta) return null;
  const image = checkImageOf(source, meta);
  if (image.fileClusterCount > checkLimits.fileClusterCountMax) return null;
  const sink = new RoleSink(image.fileClusterCount, image.clusterBits);
  let complete = safely(() => bitmapStage(image, findings)) === true && safely(() => snapshotStage(image, findings)) === true;
  const reftable = safely(() => new TableView(readReftable(image)));
  if (reftable) {
    complete = (safely(() => walkReferences(walkStateOf(image, sink, findings, null), reftable)) ?? false) && complete;
    const stored = safely(() => new OnDiskRefcounts(source, reftable.bytes, image.clusterBits, image.refcountOrder, image.fileClusterCount));
    if (stored) markUnreferenced(sink.roles, stored.saturated);
    else complete = false;
  } else complete = false;
  const roles = sink.roles;
  for (let k = 0; k < roles.length; k++) if (roles[k] === UNREFERENCED) roles[k] = ROLE_ID.free;
  return { clusterSizeBytes: image.clusterSizeBytes, fileSizeBytes: image.fileSizeBytes, roles, complete };
}

/** An unreferenced cluster with a stored refcount above 0 is leaked; one with refcount 0 is free. */
function markUnreferenced(roles: Uint8Array, stored: Uint8Array): void {
  const leaked = ROLE_ID.leaked;
  const free = ROLE_ID.free;
  for (let k = 0; k < roles.length; k++) if (roles[k] === UNREFERENCED) roles[k] = stored[k] > 0 ? leaked : free;
}

