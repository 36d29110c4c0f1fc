/**
 * openForRepair: everything a repair needs to know before it decides anything, read through the
 * stages of spec/walk that the checker runs too (open stage, image context, bitmap stage, reftable
 * reader, stored refcounts) plus the snapshot salvage. Reads only.
 *
 * Returns the context, or the check errors that make the image impossible to repair (it cannot be
 * opened at all, or its bitmaps cannot be accounted for).
 */
import { bytesSource } from '../../spec/format/byte-source.js';
import { decodeSnapshotTable } from '../../spec/format/snapshot-table.js';
import { decodeHeader } from '../../spec/format/header.js';
import { TableView } from '../../spec/format/table-view.js';
import { finding, type Finding } from '../../spec/invariants/finding.js';
import type { BlockDevice } from '../storage/block-device.js';
import { toByteSource } from '../storage/to-byte-source.js';
import { bitmapStage } from '../../spec/walk/bitmap-stage.js';
import { checkImageOf } from '../../spec/walk/check-image-context.js';
import { checkLimits } from '../../spec/walk/check-limits.js';
import { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import { FindingSink } from '../../spec/walk/finding-sink.js';
import { OnDiskRefcounts } from '../../spec/walk/on-disk-refcounts.js';
import { openStage } from '../../spec/walk/open-stage.js';
import { readReftable } from '../../spec/walk/reftable-reader.js';
import { snapshotContextOf } from '../../spec/walk/snapshot-stage.js';
import { clustersReferencedBeyondEnd } from './beyond-end-collector.js';
import { ClusterAllocator } from './cluster-allocator.js';
import { ClusterClaims } from './cluster-claims.js';
import { surveyRefcountStructure } from './refcount-structure.js';
import type { RepairContext } from './repair-context.js';
import { onlySnapshotFieldErrors, withoutSnapshotFields } from './snapshot-fields-fallback.js';
import { salvageSnapshots } from './snapshot-salvage.js';

type OpenForRepair = { ok: true; ctx: RepairContext } | { ok: false; findings: Finding[] };

/** Reads the image on `device` and builds the repair context. Throws only what the device throws. */
export function openForRepair(device: BlockDevice): OpenForRepair {
  const raw = toByteSource(device);
  let source = raw;
  let sink = new FindingSink();
  let meta = openStage(source, sink);
  const fallback = meta === null && onlySnapshotFieldErrors(sink.findings);
  if (fallback) {
    source = withoutSnapshotFields(raw);
    sink = new FindingSink();
    meta = openStage(source, sink);
  }
  if (meta === null) return { ok: false, findings: sink.findings };
  const image = checkImageOf(source, meta);
  if (image.fileClusterCount > checkLimits.fileClusterCountMax) {
    return { ok: false, findings: [finding('CRASHCOW-CHECK-CLUSTERS', 'check-error', 'image file', `the file holds ${image.fileClusterCount} clusters, more than crashcow's limit of ${checkLimits.fileClusterCountMax}`)] };
  }
  if (!bitmapStage(image, sink)) return { ok: false, findings: sink.findings.filter((f) => f.kind === 'check-error') };
  const h = meta.header;
  const real = fallback ? decodeHeader(raw.read(0, meta.header.headerLengthBytes)) : h;
  const snapshots = salvageSnapshots(raw, real.snapshotsOffset, real.snapshotCount, snapshotContextOf(image), meta.geometry);
  image.snapshots = snapshots.kept.map((s) => decodeSnapshotTable(bytesSource(s.raw), 0, 1)[0]);
  image.snapshotTable = fallback ? { offsetBytes: 0, sizeBytes: 0 } : { offsetBytes: image.snapshotTable.offsetBytes, sizeBytes: snapshots.oldTableBytes };
  const reftable = new TableView(readReftable(image));
  const onDisk = new OnDiskRefcounts(source, reftable.bytes, image.clusterBits, image.refcountOrder, image.fileClusterCount + 1);
  const claims = new ClusterClaims(image.fileClusterCount);
  const refcounts = surveyRefcountStructure(image, reftable, claims);
  const ctx: RepairContext = {
    device,
    source,
    image,
    geometry: meta.geometry,
    clusterSizeBytes: image.clusterSizeBytes,
    v3: h.version >= 3,
    hasBacking: h.backingFileOffset !== 0n,
    snapshots,
    reftable,
    onDisk,
    refcounts,
    claims,
    allocator: new ClusterAllocator(image.fileClusterCount, () => clustersReferencedBeyondEnd(image, reftable)),
    dataTally: ExpectedRefcounts.growing(image.clusterBits, image.fileClusterCount),
    records: [...snapshots.records],
    staged: [],
    rebuildReasons: [...refcounts.unusableReasons],
    snapshotTableRewrite: snapshots.changed,
    copies: 0,
    copyMemo: new Map(),
  };
  return { ok: true, ctx };
}
