/**
 * Header invariants (GEN-1, HDR-1..HDR-13): pure predicates over the decoded header of cluster 0.
 *
 * Kinds follow what qemu-img 7.2 does with the image: a rule whose breach makes QEMU refuse to
 * open it (and so refuse to check it) is a `check-error`; a breach QEMU tolerates but the spec
 * forbids is a `corruption` carrying a `qemu` note. Values are never trusted: every size is
 * compared as a bigint or against a named limit before anything is derived from it.
 */
import type { Header } from '../format/header.js';
import { QCOW2_MAGIC } from '../format/header.js';
import { incompatibleBits } from '../format/feature-bits.js';
import { limits } from '../format/limits.js';
import { finding, hexOf, NO_FINDINGS, QEMU_DOES_NOT_FLAG, type Finding } from './finding.js';

const INT64_MAX = (1n << 63n) - 1n;
const INT_MAX = 2 ** 31 - 1;
const QEMU_REFUSES = 'qemu-img 7.2 refuses to open such an image, so it cannot check it either.';

/** GEN-1, HDR-1: the magic is "QFI\xfb" read big-endian; a byte-swapped magic means a little-endian writer. */
export function magicFindings(head: Uint8Array): readonly Finding[] {
  if (head.length < 4) return [finding('HDR-1', 'check-error', 'header.magic @0x0', `file of ${head.length} bytes is too short for a qcow2 magic`, QEMU_REFUSES)];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0, false) === QCOW2_MAGIC) return NO_FINDINGS;
  if (view.getUint32(0, true) === QCOW2_MAGIC) {
    return [finding('GEN-1', 'check-error', 'header.magic @0x0', 'magic is byte-swapped: the header was written little-endian, qcow2 is big-endian', QEMU_REFUSES)];
  }
  return [finding('HDR-1', 'check-error', 'header.magic @0x0', `magic ${hexOf(view.getUint32(0, false))} is not 0x514649fb`, QEMU_REFUSES)];
}

/** HDR-2: version is 2 or 3. */
export function versionFindings(h: Header): readonly Finding[] {
  if (h.version === 2 || h.version === 3) return NO_FINDINGS;
  return [finding('HDR-2', 'check-error', 'header.version @0x4', `version ${h.version} is neither 2 nor 3`, QEMU_REFUSES)];
}

/** HDR-3 (and QIMPL-CLUSTER-BITS): 9 <= cluster_bits, QEMU <= 21; extended L2 needs >= 14 (512 B subclusters). */
export function clusterBitsFindings(h: Header): readonly Finding[] {
  const where = 'header.cluster_bits @0x14';
  if (h.clusterBits < limits.clusterBitsMin) return [finding('HDR-3', 'check-error', where, `cluster_bits ${h.clusterBits} < 9`, QEMU_REFUSES)];
  if (h.clusterBits > limits.clusterBitsMaxQemu) {
    return [finding('QIMPL-CLUSTER-BITS', 'check-error', where, `cluster_bits ${h.clusterBits} > 21 (QEMU supports clusters up to 2 MiB)`, QEMU_REFUSES)];
  }
  const extendedL2 = h.version >= 3 && (h.incompatibleFeatures & incompatibleBits.extendedL2) !== 0n;
  if (extendedL2 && h.clusterBits < limits.clusterBitsMinExtendedL2) {
    return [finding('HDR-3', 'check-error', where, `extended L2 with cluster_bits ${h.clusterBits}: subclusters of ${2 ** h.clusterBits / 32} B are below 512 B`, QEMU_REFUSES)];
  }
  return NO_FINDINGS;
}

/** HDR-4 (and QIMPL-HEADER-LENGTH): v3 header_length >= 104, a multiple of 8, QEMU: <= cluster size. */
export function headerLengthFindings(h: Header): readonly Finding[] {
  if (h.version !== 3) return NO_FINDINGS;
  const len = h.headerLengthBytes;
  const where = 'header.header_length @0x64';
  const out: Finding[] = [];
  if (len < limits.headerV3LengthBytesMin) out.push(finding('HDR-4', 'check-error', where, `header_length ${len} < 104`, QEMU_REFUSES));
  else if (len % 8 !== 0) out.push(finding('HDR-4', 'check-error', where, `header_length ${len} is not a multiple of 8`, 'qemu-img 7.2 accepts it; crashcow cannot place the extension area and stops.'));
  if (h.clusterBits >= limits.clusterBitsMin && h.clusterBits <= 30 && len > 2 ** h.clusterBits) {
    out.push(finding('QIMPL-HEADER-LENGTH', 'check-error', where, `header_length ${len} exceeds the cluster size ${2 ** h.clusterBits}`, QEMU_REFUSES));
  }
  return out;
}

/** HDR-5 (and QIMPL-BACKING-NAME): backing name <= 1023 bytes, inside cluster 0. */
export function backingFileFindings(h: Header): readonly Finding[] {
  if (h.backingFileOffset === 0n) return NO_FINDINGS;
  const clusterSizeBytes = 2n ** BigInt(Math.min(h.clusterBits, 63));
  const out: Finding[] = [];
  if (h.backingFileNameBytes > limits.backingFileNameBytesMax) {
    out.push(finding('HDR-5', 'check-error', 'header.backing_file_size @0x10', `backing file name of ${h.backingFileNameBytes} bytes exceeds 1023`, QEMU_REFUSES));
  }
  if (h.backingFileOffset > clusterSizeBytes || h.backingFileOffset + BigInt(h.backingFileNameBytes) > clusterSizeBytes) {
    out.push(finding('QIMPL-BACKING-NAME', 'check-error', 'header.backing_file_offset @0x8', `backing file name at ${hexOf(h.backingFileOffset)} (+${h.backingFileNameBytes}) leaves cluster 0`, QEMU_REFUSES));
  }
  const headerEndBytes = BigInt(h.version === 2 ? limits.headerV2LengthBytes : h.headerLengthBytes);
  if (h.backingFileNameBytes > 0 && h.backingFileOffset < headerEndBytes) {
    const detail = `backing file name at ${hexOf(h.backingFileOffset)} (+${h.backingFileNameBytes}) starts inside the header, which ends at ${hexOf(headerEndBytes)}`;
    out.push(finding('HDR-5', 'corruption', 'header.backing_file_offset @0x8', detail, 'qemu-img 7.2 does not flag this: it reads the header bytes there as the backing file name.'));
  }
  return out;
}

/** HDR-6: crypt_method is 0 (none), 1 (AES) or 2 (LUKS); LUKS needs the FDE header pointer, the others must not have it. */
export function cryptMethodFindings(h: Header, hasFdePointer: boolean): readonly Finding[] {
  const where = 'header.crypt_method @0x20';
  if (h.cryptMethod > 2) return [finding('HDR-6', 'check-error', where, `crypt_method ${h.cryptMethod} is unknown`, QEMU_REFUSES)];
  if (h.cryptMethod === 2 && !hasFdePointer) return [finding('HDR-6', 'check-error', where, 'LUKS encryption without a full-disk-encryption header pointer extension', QEMU_REFUSES)];
  if (h.cryptMethod !== 2 && hasFdePointer) {
    return [finding('HDR-6', 'check-error', where, `full-disk-encryption header pointer with crypt_method ${h.cryptMethod}`, QEMU_REFUSES)];
  }
  return NO_FINDINGS;
}

/** HDR-7: L1, refcount table and snapshot table offsets are cluster-aligned and the tables end below 2^63. */
export function tableOffsetFindings(h: Header): readonly Finding[] {
  if (h.clusterBits < limits.clusterBitsMin || h.clusterBits > 30) return NO_FINDINGS;
  const clusterSizeBytes = BigInt(2 ** h.clusterBits);
  const tables = [
    { name: 'l1_table_offset @0x28', offset: h.l1TableOffset, bytes: BigInt(h.l1EntryCount) * 8n, note: QEMU_REFUSES },
    { name: 'refcount_table_offset @0x30', offset: h.refcountTableOffset, bytes: BigInt(h.refcountTableClusters) * clusterSizeBytes, note: QEMU_REFUSES },
    { name: 'snapshots_offset @0x40', offset: h.snapshotsOffset, bytes: BigInt(h.snapshotCount) * 40n, note: 'qemu-img 7.2 reports it as a check error and stops.' },
  ];
  const out: Finding[] = [];
  for (const t of tables) {
    if (t.offset % clusterSizeBytes !== 0n) out.push(finding('HDR-7', 'check-error', `header.${t.name}`, `${hexOf(t.offset)} is not cluster-aligned`, t.note));
    else if (t.offset > INT64_MAX - t.bytes) out.push(finding('HDR-7', 'check-error', `header.${t.name}`, `table at ${hexOf(t.offset)} of ${t.bytes} bytes ends past 2^63`, t.note));
  }
  return out;
}

/** HDR-8 (and QIMPL-L1-SIZE, QIMPL-IMAGE-SIZE): l1_size covers the virtual size; QEMU: L1 <= 32 MiB. */
export function l1SizeFindings(h: Header): readonly Finding[] {
  if (h.clusterBits < limits.clusterBitsMin || h.clusterBits > 30) return NO_FINDINGS;
  const where = 'header.l1_size @0x24';
  if (h.l1EntryCount > limits.l1SizeBytesMax / 8) {
    return [finding('QIMPL-L1-SIZE', 'check-error', where, `${h.l1EntryCount} L1 entries exceed QEMU's 32 MiB L1 table`, QEMU_REFUSES)];
  }
  const extendedL2 = h.version >= 3 && (h.incompatibleFeatures & incompatibleBits.extendedL2) !== 0n;
  const coverageBytes = 2n ** BigInt(2 * h.clusterBits - (extendedL2 ? 4 : 3));
  const needed = (h.sizeBytes + coverageBytes - 1n) / coverageBytes;
  if (needed > BigInt(INT_MAX)) return [finding('QIMPL-IMAGE-SIZE', 'check-error', 'header.size @0x18', `virtual size ${h.sizeBytes} needs ${needed} L1 entries, more than QEMU's 2^31 - 1`, QEMU_REFUSES)];
  if (BigInt(h.l1EntryCount) < needed) {
    return [finding('HDR-8', 'check-error', where, `${h.l1EntryCount} L1 entries cannot map ${h.sizeBytes} bytes (needs ${needed})`, QEMU_REFUSES)];
  }
  return NO_FINDINGS;
}

/** HDR-9 (and QIMPL-REFTABLE-SIZE): refcount_table_clusters > 0; QEMU: the table is at most 8 MiB. */
export function reftableSizeFindings(h: Header): readonly Finding[] {
  const where = 'header.refcount_table_clusters @0x38';
  if (h.refcountTableClusters === 0) {
    return [finding('HDR-9', 'corruption', where, 'the image has no refcount table', 'qemu-img 7.2 opens it for checking and counts every referenced cluster as a refcount error, but not this.')];
  }
  if (h.clusterBits >= limits.clusterBitsMin && h.clusterBits <= 30 && h.refcountTableClusters > limits.refcountTableSizeBytesMax / 2 ** h.clusterBits) {
    return [finding('QIMPL-REFTABLE-SIZE', 'check-error', where, `${h.refcountTableClusters} clusters of refcount table exceed QEMU's 8 MiB`, QEMU_REFUSES)];
  }
  return NO_FINDINGS;
}

/** HDR-10 (QIMPL-SNAPSHOT-COUNT): QEMU handles at most 65536 internal snapshots. */
export function snapshotCountFindings(h: Header): readonly Finding[] {
  if (h.snapshotCount <= limits.snapshotCountMax) return NO_FINDINGS;
  return [finding('QIMPL-SNAPSHOT-COUNT', 'check-error', 'header.nb_snapshots @0x3c', `${h.snapshotCount} snapshots exceed QEMU's 65536`, 'qemu-img 7.2 reports "snapshot table too large" as a check error.')];
}

/** HDR-11: refcount_order <= 6 (refcounts of 1..64 bits). */
export function refcountOrderFindings(h: Header): readonly Finding[] {
  if (h.refcountOrder <= 6) return NO_FINDINGS;
  return [finding('HDR-11', 'check-error', 'header.refcount_order @0x60', `refcount_order ${h.refcountOrder} > 6`, QEMU_REFUSES)];
}

/** HDR-12 (and CRASHCOW-SIZE): the virtual size must be exact in a JS number (2^53) for crashcow to address it. */
export function virtualSizeFindings(h: Header): readonly Finding[] {
  if (h.sizeBytes <= BigInt(limits.safeOffsetBytesMax)) return NO_FINDINGS;
  return [finding('CRASHCOW-SIZE', 'check-error', 'header.size @0x18', `virtual size ${h.sizeBytes} exceeds 2^53 bytes`, 'qemu-img 7.2 may open it; crashcow cannot address it exactly.')];
}

/** HDR-13: compression type 0 or 1, its feature bit set exactly when it is not 0, padding up to byte 112 zero. */
export function compressionTypeFindings(h: Header): readonly Finding[] {
  if (h.version < 3) return NO_FINDINGS;
  const where = 'header.compression_type @0x68';
  const bitSet = (h.incompatibleFeatures & incompatibleBits.compressionType) !== 0n;
  if (h.compressionType > 1) return [finding('HDR-13', 'check-error', where, `compression type ${h.compressionType} is unknown`, QEMU_REFUSES)];
  if (bitSet !== (h.compressionType !== 0)) {
    return [finding('HDR-13', 'check-error', where, `compression type ${h.compressionType} with the compression-type feature bit ${bitSet ? 'set' : 'clear'}`, QEMU_REFUSES)];
  }
  const padding = h.additionalFields.subarray(0, Math.max(0, Math.min(112, h.headerLengthBytes) - 105));
  if (padding.some((b) => b !== 0)) return [finding('HDR-13', 'corruption', 'header @0x69..0x6f', 'padding after the compression type is not zero', QEMU_DOES_NOT_FLAG)];
  return NO_FINDINGS;
}

/** Every header predicate above, in header order. */
export function headerFindings(h: Header, hasFdePointer: boolean): Finding[] {
  return [
    ...versionFindings(h),
    ...clusterBitsFindings(h),
    ...headerLengthFindings(h),
    ...backingFileFindings(h),
    ...cryptMethodFindings(h, hasFdePointer),
    ...tableOffsetFindings(h),
    ...l1SizeFindings(h),
    ...reftableSizeFindings(h),
    ...snapshotCountFindings(h),
    ...refcountOrderFindings(h),
    ...virtualSizeFindings(h),
    ...compressionTypeFindings(h),
  ];
}
