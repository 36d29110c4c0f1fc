/**
 * computeReferences: opens an image read-only, judges cluster 0 and the tables, and computes the
 * expected refcount of every host cluster (RC-5) next to the stored ones. The checker (src/check)
 * and the repair (src/repair) both start from it: the counts, the stored refcounts, the walk's
 * findings.
 *
 * Never writes. Throws only for I/O errors of the source; everything wrong with the image is a
 * finding in `sink`.
 */
import type { ByteSource } from '../format/byte-source.js';
import { TableView } from '../format/table-view.js';
import { fileClusterCountFindings } from '../invariants/limits.js';
import { bitmapStage } from './bitmap-stage.js';
import { checkImageOf, type CheckImage } from './check-image-context.js';
import { checkLimits } from './check-limits.js';
import { ExpectedRefcounts } from './expected-refcounts.js';
import { FindingSink } from './finding-sink.js';
import { OnDiskRefcounts } from './on-disk-refcounts.js';
import { openStage } from './open-stage.js';
import { walkReferences } from './reference-walk.js';
import { readReftable } from './reftable-reader.js';
import { snapshotStage } from './snapshot-stage.js';
import { walkStateOf, type AllocationCounters } from './walk-state.js';

export interface ReferenceComputation {
  image: CheckImage;
  /** References per cluster, counted as qemu-img check counts them. */
  expected: ExpectedRefcounts;
  /** The refcounts the image stores. */
  onDisk: OnDiskRefcounts;
  reftable: TableView;
  counters: AllocationCounters;
  /** False when the walk stopped early (scan budget): counts are partial. */
  complete: boolean;
}

/**
 * Runs the stages up to and including the reference walk. Returns null when the image cannot be
 * checked (the reasons are check errors in `sink`).
 */
export function computeReferences(source: ByteSource, sink: FindingSink = new FindingSink()): ReferenceComputation | null {
  const meta = openStage(source, sink);
  if (meta === null) return null;
  const image = checkImageOf(source, meta);
  if (!clusterCountAllowed(image, sink)) return null;
  if (!bitmapStage(image, sink) || !snapshotStage(image, sink)) return null;
  const reftable = new TableView(readReftable(image));
  const onDisk = new OnDiskRefcounts(source, reftable.bytes, image.clusterBits, image.refcountOrder, image.fileClusterCount + 1);
  const expected = new ExpectedRefcounts(image.fileClusterCount, image.fileSizeBytes, image.clusterBits, image.refcountMax);
  const state = walkStateOf(image, expected, sink, onDisk);
  const complete = walkReferences(state, reftable);
  return { image, expected, onDisk, reftable, counters: state.counters, complete };
}

/** QIMPL-FILE-CLUSTERS and CRASHCOW-CHECK-CLUSTERS, checked on the real file size before any allocation. */
export function clusterCountAllowed(image: CheckImage, sink: FindingSink): boolean {
  const findings = fileClusterCountFindings(image.fileClusterCount, checkLimits.fileClusterCountMax);
  sink.addAll(findings);
  return findings.length === 0;
}
