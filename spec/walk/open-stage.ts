/**
 * Open stage: decodes cluster 0 (spec/format readImageMeta) and runs the header, feature and
 * extension invariants. A FormatError, or any check-error finding, means the image cannot be
 * interpreted (QEMU refuses to open it): the check stops there.
 */
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { isFormatError } from '../format/format-error.js';
import { readImageMeta, type ImageMeta } from '../format/image-meta.js';
import { extensionAreaFindings, extensionFindings, fdeTailFindings } from '../invariants/extensions.js';
import { featureFindings } from '../invariants/features.js';
import { finding } from '../invariants/finding.js';
import { headerFindings, magicFindings } from '../invariants/header.js';
import { requestRangeFindings } from '../invariants/limits.js';
import type { FindingSink } from './finding-sink.js';

/**
 * Returns the decoded cluster 0, or null when the image cannot be checked (the reasons are in
 * `sink` as check errors). Throws only for I/O errors of `source`.
 */
export function openStage(source: ByteSource, sink: FindingSink): ImageMeta | null {
  const magic = magicFindings(source.read(0, 4));
  if (magic.length > 0) {
    sink.addAll(magic);
    return null;
  }
  let meta: ImageMeta;
  try {
    meta = readImageMeta(source);
  } catch (err) {
    if (!isFormatError(err)) throw err;
    sink.add(finding(err.rule, 'check-error', err.where, err.message.replace(`${err.rule} at ${err.where}: `, ''), openFailureNote(err.rule, err.message)));
    return null;
  }
  const h = meta.header;
  const clusterSizeBytes = meta.geometry.clusterSizeBytes;
  sink.addAll(headerFindings(h, meta.extensions.fdePointer !== undefined));
  sink.addAll(featureFindings(h, meta.extensions));
  sink.addAll(extensionAreaFindings(source.read(0, meta.extensionArea.endBytes), meta.extensionArea));
  sink.addAll(extensionFindings(h, meta.extensions, clusterSizeBytes));
  const cannotOpen = 'qemu-img 7.2 cannot open the image ("Could not read L1 table").';
  sink.addAll(requestRangeFindings('the active L1 table', h.l1TableOffset, BigInt(h.l1EntryCount) * 8n, 'header.l1_table_offset @0x28', cannotOpen));
  if (sink.checkErrors > 0) return null;
  encryptionTailCheck(source, meta, sink);
  return meta;
}

/** What qemu-img 7.2 does with an image whose cluster 0 crashcow cannot interpret. */
function openFailureNote(rule: string, message: string): string {
  if (rule.startsWith('CRASHCOW')) return 'qemu-img 7.2 may open it; crashcow cannot address it exactly.';
  if (rule === 'HDR-5' && /past the end of the file/.test(message)) return 'qemu-img 7.2 reads the missing name bytes as zeros and goes on.';
  if (rule === 'EXT-1') return 'qemu-img 7.2 refuses to open such an image too, with "Header extension too large".';
  if (rule === 'HDR-4' && /multiple of 8/.test(message)) return 'qemu-img 7.2 reads the extensions from that offset: it refuses the image unless the misread records happen to end cleanly.';
  return 'qemu-img 7.2 refuses to open such an image too.';
}

/** EXT-7: the bytes between the end of the LUKS header and the end of its last cluster are zero. */
function encryptionTailCheck(source: ByteSource, meta: ImageMeta, sink: FindingSink): void {
  const fde = meta.extensions.fdePointer;
  if (meta.header.cryptMethod !== 2 || fde === undefined) return;
  const end = fde.offsetBytes + fde.lengthBytes;
  const clusterSize = BigInt(meta.geometry.clusterSizeBytes);
  const tailBytes = Number((clusterSize - (end % clusterSize)) % clusterSize);
  if (tailBytes === 0 || end >= BigInt(source.sizeBytes)) return;
  sink.addAll(fdeTailFindings(readPadded(source, Number(end), tailBytes), Number(end)));
}
