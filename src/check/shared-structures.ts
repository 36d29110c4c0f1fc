/**
 * AL-2 / AL-3 witnesses: clusters of structures that must have exactly one owner (header, L1
 * tables, refcount table and blocks, snapshot table, bitmap directory and tables, encryption
 * header) but are referenced more than once. The damage is counted by the refcount comparison;
 * these findings say which structure was overlapped.
 */
import { sharedStructureFindings, type UnshareableStructure } from '../../spec/invariants/overlap.js';
import { snapshotL1Walkable } from '../../spec/invariants/snapshots.js';
import type { TableView } from '../../spec/format/table-view.js';
import type { CheckImage, Extent } from '../../spec/walk/check-image-context.js';
import type { ExpectedRefcounts } from '../../spec/walk/expected-refcounts.js';
import type { FindingSink } from '../../spec/walk/finding-sink.js';
import { snapshotContextOf } from '../../spec/walk/snapshot-stage.js';
import { clampOffset } from '../../spec/walk/table-chunks.js';

export function reportSharedStructures(image: CheckImage, expected: ExpectedRefcounts, reftable: TableView, sink: FindingSink): void {
  const check = (structure: UnshareableStructure, e: Extent) => {
    if (e.sizeBytes <= 0 || e.offsetBytes >= image.fileSizeBytes) return;
    const first = Math.floor(e.offsetBytes / image.clusterSizeBytes);
    const last = Math.min(expected.clusterCount - 1, Math.floor((e.offsetBytes + e.sizeBytes - 1) / image.clusterSizeBytes));
    for (let k = first; k <= last; k++) {
      const count = expected.countOf(k);
      if (count > 1) for (const f of sharedStructureFindings(structure, k, image.clusterSizeBytes, count)) sink.note(f.rule, f.kind, 1, () => f);
    }
  };
  check('header', { offsetBytes: 0, sizeBytes: image.clusterSizeBytes });
  check('L1 table', { offsetBytes: image.l1.offsetBytes, sizeBytes: image.l1.entryCount * 8 });
  const ctx = snapshotContextOf(image);
  for (const sn of image.snapshots) {
    if (snapshotL1Walkable(sn, ctx)) check('snapshot L1 table', { offsetBytes: clampOffset(sn.l1TableOffset), sizeBytes: sn.l1EntryCount * 8 });
  }
  check('snapshot table', image.snapshotTable);
  check('refcount table', { offsetBytes: image.reftable.offsetBytes, sizeBytes: image.reftable.entryCount * 8 });
  for (let i = 0; i < reftable.wordCount; i++) {
    const lo = reftable.lo(i);
    const hi = reftable.hi(i);
    if ((lo & 0x1ff) !== 0 || hi >= 0x200000) continue;
    const offsetBytes = hi * 4294967296 + ((lo & 0xfffffe00) >>> 0);
    if (offsetBytes !== 0 && offsetBytes % image.clusterSizeBytes === 0) check('refcount block', { offsetBytes, sizeBytes: image.clusterSizeBytes });
  }
  if (image.bitmapDirectory !== null) check('bitmap directory', image.bitmapDirectory);
  for (const b of image.bitmaps) check('bitmap table', { offsetBytes: clampOffset(b.tableOffset), sizeBytes: b.tableEntryCount * 8 });
  if (image.encryptionHeader !== null) check('encryption header', image.encryptionHeader);
}
