/**
 * stageNotesOf: the checker's stages before the walk (open, cluster count, bitmaps, snapshots)
 * run again on a crash state whose cluster 0 or file size differs from its base's, with their
 * findings recorded. Null when a stage stops the check or the state's structures (tables, their
 * places and sizes, snapshots) are not the base's: the incremental judge then gives up.
 */
import type { ByteSource } from '../../../../spec/format/byte-source.js';
import { bitmapStage } from '../../../../spec/walk/bitmap-stage.js';
import { checkImageOf, type CheckImage } from '../../../../spec/walk/check-image-context.js';
import { clusterCountAllowed } from '../../../../spec/walk/compute-references.js';
import { openStage } from '../../../../spec/walk/open-stage.js';
import { snapshotStage } from '../../../../spec/walk/snapshot-stage.js';
import type { BaseCheck } from './base-check.js';
import { RecordingSink, type RecordedNote } from './recording-sink.js';
import { STAGE_ORDINAL } from './walk-ordinal.js';

export function stageNotesOf(base: BaseCheck, source: ByteSource): { image: CheckImage; notes: RecordedNote[] } | null {
  const sink = new RecordingSink(STAGE_ORDINAL);
  const meta = openStage(source, sink);
  if (meta === null) return null;
  const image = checkImageOf(source, meta);
  if (!clusterCountAllowed(image, sink) || !bitmapStage(image, sink) || !snapshotStage(image, sink)) return null;
  return sameStructure(base.image, image) ? { image, notes: sink.recorded } : null;
}

/** True when the walk reads the same tables, at the same places, with the same geometry, in both. */
function sameStructure(a: CheckImage, b: CheckImage): boolean {
  const sameExtent = (x: { offsetBytes: number }, y: { offsetBytes: number }, xs: number, ys: number): boolean => x.offsetBytes === y.offsetBytes && xs === ys;
  return (
    b.bitmapDirectory === null &&
    b.bitmaps.length === 0 &&
    b.encryptionHeader === null &&
    a.clusterBits === b.clusterBits &&
    a.refcountOrder === b.refcountOrder &&
    a.l2EntrySizeBytes === b.l2EntrySizeBytes &&
    a.header.version === b.header.version &&
    a.meta.geometry.virtualSizeBytes === b.meta.geometry.virtualSizeBytes &&
    a.mapping.extendedL2 === b.mapping.extendedL2 &&
    a.mapping.externalDataFile === b.mapping.externalDataFile &&
    sameExtent(a.l1, b.l1, a.l1.entryCount, b.l1.entryCount) &&
    sameExtent(a.reftable, b.reftable, a.reftable.entryCount, b.reftable.entryCount) &&
    sameExtent(a.snapshotTable, b.snapshotTable, a.snapshotTable.sizeBytes, b.snapshotTable.sizeBytes) &&
    a.snapshots.length === b.snapshots.length &&
    a.snapshots.every((s, i) => s.l1TableOffset === b.snapshots[i].l1TableOffset && s.l1EntryCount === b.snapshots[i].l1EntryCount)
  );
}
