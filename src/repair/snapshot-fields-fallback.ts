/**
 * When the header's snapshot fields alone keep an image from opening (an unaligned snapshot table
 * offset, HDR-7; more snapshots than QEMU takes, QIMPL-SNAPSHOT-COUNT), the repair still opens it,
 * through a view whose header says "no snapshots", salvages what it can of the table and writes a
 * new one. qemu-img 7.2 stops with a check error on such images.
 */
import type { ByteSource } from '../../spec/format/byte-source.js';
import { headerFieldOffsets } from '../../spec/format/header.js';
import type { Finding } from '../../spec/invariants/finding.js';

const FIELDS_START = headerFieldOffsets.snapshotCount;
const FIELDS_END = headerFieldOffsets.snapshotsOffset + 8;

/** True when every check error in `findings` is about the snapshot table fields of the header. */
export function onlySnapshotFieldErrors(findings: readonly Finding[]): boolean {
  const errors = findings.filter((f) => f.kind === 'check-error');
  return errors.length > 0 && errors.every((f) => f.where.startsWith('header.snapshots_offset') || f.where.startsWith('header.nb_snapshots'));
}

/** `source` with nb_snapshots and snapshots_offset read as 0. */
export function withoutSnapshotFields(source: ByteSource): ByteSource {
  return {
    get sizeBytes(): number {
      return source.sizeBytes;
    },
    read(offsetBytes: number, lengthBytes: number): Uint8Array {
      const bytes = source.read(offsetBytes, lengthBytes);
      if (offsetBytes >= FIELDS_END || offsetBytes + bytes.length <= FIELDS_START) return bytes;
      const out = bytes.slice();
      for (let p = Math.max(FIELDS_START, offsetBytes); p < Math.min(FIELDS_END, offsetBytes + out.length); p++) out[p - offsetBytes] = 0;
      return out;
    },
  };
}
