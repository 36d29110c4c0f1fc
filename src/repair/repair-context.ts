/**
 * RepairContext: what every stage of a repair shares: the device, the walk's view of the image
 * (CheckImage, spec/walk), the salvaged snapshot table, the old refcount structures, who owns which cluster,
 * the allocator for fresh clusters, the references the repaired image will have, the new content
 * to write, and the records of every change.
 */
import type { ByteSource } from '../../spec/format/byte-source.js';
import { clusterCountToSize, clusterIndexToOffset, sizeToClusterCount, type Geometry } from '../../spec/format/geometry.js';
import type { TableView } from '../../spec/format/table-view.js';
import type { BlockDevice } from '../storage/block-device.js';
import type { CheckImage } from '../../spec/walk/check-image-context.js';
import type { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import type { OnDiskRefcounts } from '../../spec/walk/on-disk-refcounts.js';
import type { ClusterAllocator } from './cluster-allocator.js';
import type { ClusterClaims } from './cluster-claims.js';
import type { RefcountStructure } from './refcount-structure.js';
import type { RepairRecord } from './repair-record.js';
import type { SnapshotSalvage } from './snapshot-salvage.js';
import type { WriteStep } from './write-plan.js';

export interface RepairContext {
  readonly device: BlockDevice;
  readonly source: ByteSource;
  readonly image: CheckImage;
  readonly geometry: Geometry;
  readonly clusterSizeBytes: number;
  readonly v3: boolean;
  /** The image names a backing file: an unallocated cluster reads it rather than zeros. */
  readonly hasBacking: boolean;
  readonly snapshots: SnapshotSalvage;
  readonly reftable: TableView;
  readonly onDisk: OnDiskRefcounts;
  readonly refcounts: RefcountStructure;
  readonly claims: ClusterClaims;
  readonly allocator: ClusterAllocator;
  /** References of data and compressed clusters in the repaired image, per L1 tree walk (growing, uncapped). */
  readonly dataTally: ExpectedRefcounts;
  readonly records: RepairRecord[];
  /** Content of fresh clusters (copies, new tables), written before the switch. */
  readonly staged: WriteStep[];
  /** Why the refcount structures must be rebuilt rather than edited (empty: either works). */
  readonly rebuildReasons: string[];
  /** The snapshot table must be rewritten (entries dropped or fixed, an L1 moved, or it overlaps). */
  snapshotTableRewrite: boolean;
  /** Data or compressed clusters copied: each adds a reference, so only a rebuild can carry them. */
  copies: number;
  /** Copy already made for an L2 entry, "l2Offset:entryIndex" -> new host offset (shared across trees). */
  readonly copyMemo: Map<string, number>;
  /** The repair-trusts-past-eof mutant's switch (tests only; see repair-mutants.ts): read in l2-entry-plan.ts. */
  trustsPastEof?: boolean;
}

/** Reads `lengthBytes` at `offsetBytes` from the image as it was before the repair, zeros past its end. */
export function readOld(ctx: RepairContext, offsetBytes: number, lengthBytes: number): Uint8Array {
  return ctx.device.read(offsetBytes, lengthBytes);
}

/** Allocates `count` fresh clusters for `data` (padded with zeros to whole clusters) and stages it. */
export function stageNew(ctx: RepairContext, data: Uint8Array, count = Math.max(1, sizeToClusterCount(ctx.geometry, data.length))): number {
  const offsetBytes = clusterIndexToOffset(ctx.geometry, ctx.allocator.allocRun(count));
  const padded = new Uint8Array(clusterCountToSize(ctx.geometry, count));
  padded.set(data.subarray(0, padded.length));
  ctx.staged.push({ offsetBytes, data: padded });
  return offsetBytes;
}
