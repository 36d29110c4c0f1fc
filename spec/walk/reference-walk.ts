/**
 * The reference walk: every structure that references host clusters, in qemu-img check's order
 * (the header, the active L1 table and all it reaches, each snapshot's L1 table and all it
 * reaches, the snapshot table, the refcount table, the encryption header, the bitmaps, and last
 * the refcount blocks). References go to `state.refs`, findings to `state.sink`.
 */
import { offsetToClusterIndex } from '../format/geometry.js';
import { TableView } from '../format/table-view.js';
import { hexOf } from '../invariants/finding.js';
import { requestRangeFindings } from '../invariants/limits.js';
import { snapshotL1Findings, snapshotL1Walkable, snapshotsAllowedFindings } from '../invariants/snapshots.js';
import { walkBitmaps } from './bitmap-walk.js';
import type { Extent } from './check-image-context.js';
import { walkL1Table } from './l1-walk.js';
import { walkRefcountBlocks } from './refblock-walk.js';
import { ACTIVE, SourceKind } from './reference-source.js';
import { snapshotContextOf } from './snapshot-stage.js';
import { WalkPart } from './walk-marks.js';
import { clampOffset } from './table-chunks.js';
import { reportAddStatus, type WalkState } from './walk-state.js';

/**
 * Walks all references of the image in `state`. `reftable` is the refcount table as read (see
 * readReftable). Returns false when the walk stopped early (scan budget), so counts are partial.
 */
export function walkReferences(state: WalkState, reftable: TableView): boolean {
  return walkL1Tables(state) && walkTail(state, reftable);
}

/**
 * The first part of the walk: the header cluster, then the active L1 table and all it reaches,
 * then each snapshot's. Returns false when the scan budget ran out.
 */
export function walkL1Tables(state: WalkState): boolean {
  const image = state.image;
  state.marks?.mark(WalkPart.header, -1, -1);
  addExtent(state, { offsetBytes: 0, sizeBytes: image.clusterSizeBytes }, SourceKind.header, 'header');
  if (!walkL1Table(state, image.l1.offsetBytes, image.l1.entryCount, ACTIVE)) return false;
  const ctx = snapshotContextOf(image);
  state.marks?.mark(WalkPart.snapshotsAllowed, -1, -1);
  for (const f of snapshotsAllowedFindings(image.snapshots.length, ctx)) state.sink.add(f);
  for (let i = 0; i < image.snapshots.length; i++) {
    const sn = image.snapshots[i];
    state.marks?.mark(WalkPart.snapshot, i, -1);
    for (const f of snapshotL1Findings(i, sn, ctx)) state.sink.add(f);
    if (!snapshotL1Walkable(sn, ctx)) continue;
    const unreadable = requestRangeFindings('its L1 table', sn.l1TableOffset, BigInt(sn.l1EntryCount) * 8n, `snapshot[${i}]`, 'qemu-img 7.2 stops the check with an I/O error.');
    if (unreadable.length > 0) {
      state.sink.addAll(unreadable);
      continue;
    }
    if (!walkL1Table(state, clampOffset(sn.l1TableOffset), sn.l1EntryCount, i)) return false;
  }
  return true;
}

/**
 * The rest of the walk, after the L1 tables: the snapshot table, the refcount table, the
 * encryption header, the bitmaps and last the refcount blocks. Returns false when the scan budget
 * ran out.
 */
export function walkTail(state: WalkState, reftable: TableView): boolean {
  const image = state.image;
  state.marks?.mark(WalkPart.tail, -1, -1);
  addExtent(state, image.snapshotTable, SourceKind.snapshotTable, 'snapshot table');
  addExtent(state, { offsetBytes: image.reftable.offsetBytes, sizeBytes: image.reftable.entryCount * 8 }, SourceKind.refcountTable, 'refcount table');
  if (image.encryptionHeader !== null) addExtent(state, image.encryptionHeader, SourceKind.encryptionHeader, 'encryption header');
  walkBitmaps(state);
  if (state.exhausted) return false;
  walkRefcountBlocks(state, reftable);
  return true;
}

function addExtent(state: WalkState, extent: Extent, kind: SourceKind, name: string): void {
  const status = state.refs.add(extent.offsetBytes, extent.sizeBytes, kind, -1, 0, 0);
  if (status !== 0) reportAddStatus(state, status, `${name} @${hexOf(extent.offsetBytes)}`, extent.offsetBytes, extent.sizeBytes, offsetToClusterIndex(state.image.meta.geometry, extent.offsetBytes));
}
