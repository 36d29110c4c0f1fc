/**
 * Snapshot stage: reads the snapshot table as qemu-img check does. What lies past the end of the
 * file reads as zeros (a zero entry is a snapshot with an empty L1 table); a table QEMU cannot read
 * (too much extra data, more than 64 MiB) is a check error and stops the check.
 */
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { isFormatError } from '../format/format-error.js';
import { decodeSnapshotTable, type SnapshotEntry } from '../format/snapshot-table.js';
import { finding } from '../invariants/finding.js';
import { requestRangeFindings } from '../invariants/limits.js';
import { snapshotExtraDataFindings, snapshotTableSizeFindings, snapshotVmStateFindings, type SnapshotContext } from '../invariants/snapshots.js';
import type { CheckImage } from './check-image-context.js';
import type { FindingSink } from './finding-sink.js';

/** A ByteSource whose reads past the end of the file return zeros, as QEMU's do. */
function zeroPaddedSource(source: ByteSource): ByteSource {
  return { sizeBytes: source.sizeBytes, read: (offsetBytes, lengthBytes) => readPadded(source, offsetBytes, lengthBytes) };
}

/** The snapshot context of an image, for the SN-* predicates. */
export function snapshotContextOf(image: CheckImage): SnapshotContext {
  return {
    version: image.header.version,
    clusterSizeBytes: image.clusterSizeBytes,
    l2CoverageBytes: image.meta.geometry.l2CoverageBytes,
    externalDataFile: image.mapping.externalDataFile,
    refcountBits: image.refcountBits,
  };
}

/** Fills `image.snapshots` and `image.snapshotTable`; returns false when the check cannot go on. */
export function snapshotStage(image: CheckImage, sink: FindingSink): boolean {
  const count = image.header.snapshotCount;
  const start = image.snapshotTable.offsetBytes;
  if (count === 0) return true;
  // Past the file every entry reads as 40 zero bytes; so the table ends at offset + 40 x count there.
  const h = image.header;
  sink.addAll(requestRangeFindings('the snapshot table', h.snapshotsOffset, BigInt(count) * 40n, 'header.snapshots_offset @0x40', 'qemu-img 7.2 stops the check: it cannot read the snapshot table.'));
  if (sink.checkErrors > 0) return false;
  let entries: SnapshotEntry[];
  try {
    entries = decodeSnapshotTable(zeroPaddedSource(image.source), start, count);
  } catch (err) {
    if (!isFormatError(err)) throw err;
    sink.add(finding(err.rule, 'check-error', err.where, err.message.replace(`${err.rule} at ${err.where}: `, ''), 'qemu-img 7.2 stops the check: it cannot read the snapshot table.'));
    return false;
  }
  const sizes = entries.map((e) => unpaddedSizeBytes(image.source, e));
  sink.addAll(snapshotTableSizeFindings(sizes, start));
  if (sink.checkErrors > 0) return false;
  const last = entries.length - 1;
  image.snapshotTable = { offsetBytes: start, sizeBytes: entries[last].entryOffsetBytes + sizes[last] - start };
  image.snapshots = entries;
  const ctx = snapshotContextOf(image);
  entries.forEach((e, i) => {
    sink.addAll(snapshotExtraDataFindings(i, e, ctx));
    sink.addAll(snapshotVmStateFindings(i, e, ctx));
  });
  return true;
}

/** Entry size without the padding: 40 + extra data + id + name bytes (the id and name lengths re-read raw). */
function unpaddedSizeBytes(source: ByteSource, e: SnapshotEntry): number {
  const lengths = readPadded(source, e.entryOffsetBytes + 12, 4);
  const idBytes = (lengths[0] << 8) | lengths[1];
  const nameBytes = (lengths[2] << 8) | lengths[3];
  return 40 + e.extraData.length + idBytes + nameBytes;
}
