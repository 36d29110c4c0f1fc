/**
 * Persistent bitmap invariants (BM-1..BM-5, with QEMU's QIMPL-BITMAP-* limits): the bitmap
 * directory, its entries and the bitmap tables. QEMU refuses to open an image whose directory or
 * entries break its rules, and stops a check at a broken bitmap table: both are check errors here.
 */
import { bitmapFlags, decodeBitmapTableEntry, type BitmapDirectoryEntry } from '../format/bitmaps.js';
import { limits } from '../format/limits.js';
import { entryHex, finding, hexOf, NO_FINDINGS, QEMU_DOES_NOT_FLAG, type Finding } from './finding.js';

const QEMU_REFUSES = 'qemu-img 7.2 refuses to open such an image.';
const QEMU_STOPS = 'qemu-img 7.2 stops the check at this bitmap table.';
/** QEMU: a bitmap table has at most 2^27 entries, and at most 512 MiB of bitmap data. */
const BITMAP_TABLE_ENTRY_COUNT_MAX = 0x8000000;
const BITMAP_DATA_BYTES_MAX = 0x20000000;
const GRANULARITY_BITS_MIN = 9;
const GRANULARITY_BITS_MAX = 31;

/**
 * BM-1: the directory is a sequence of exactly `bitmapCount` entries, each 24 bytes plus extra
 * data and name padded to 8, filling `directory` exactly. Returns findings and whether the
 * entries can be decoded.
 */
export function bitmapDirectoryFindings(directory: Uint8Array, offsetBytes: number, bitmapCount: number): { findings: Finding[]; decodable: boolean } {
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const where = `bitmap directory @${hexOf(offsetBytes)}`;
  let pos = 0;
  let count = 0;
  const findings: Finding[] = [];
  while (pos < directory.length) {
    if (pos + 24 > directory.length) return { findings: [finding('BM-1', 'check-error', where, `entry ${count} at +${pos} is cut off by the directory end`, QEMU_REFUSES)], decodable: false };
    if (++count > bitmapCount) return { findings: [finding('BM-1', 'check-error', where, `more than the ${bitmapCount} entries the extension declares`, QEMU_REFUSES)], decodable: false };
    const nameBytes = view.getUint16(pos + 18, false);
    const extraBytes = view.getUint32(pos + 20, false);
    if (nameBytes > limits.bitmapNameBytesMax) return { findings: [finding('QIMPL-BITMAP-NAME', 'check-error', `${where} entry ${count - 1}`, `name of ${nameBytes} bytes exceeds QEMU's 1023`, QEMU_REFUSES)], decodable: false };
    const size = Math.ceil((24 + extraBytes + nameBytes) / 8) * 8;
    if (pos + size > directory.length) return { findings: [finding('BM-1', 'check-error', where, `entry ${count - 1} at +${pos} runs past the directory end`, QEMU_REFUSES)], decodable: false };
    if (extraBytes !== 0) findings.push(finding('QIMPL-BITMAP-EXTRA', 'check-error', `${where} entry ${count - 1}`, `${extraBytes} bytes of extra data (QEMU supports none)`, QEMU_REFUSES));
    if (directory.subarray(pos + 24 + extraBytes + nameBytes, pos + size).some((b) => b !== 0)) {
      findings.push(finding('BM-1', 'corruption', `${where} entry ${count - 1}`, 'entry padding is not zero', QEMU_DOES_NOT_FLAG));
    }
    pos += size;
  }
  if (count !== bitmapCount) return { findings: [finding('BM-1', 'check-error', where, `${count} entries where the extension declares ${bitmapCount}`, QEMU_REFUSES)], decodable: false };
  return { findings, decodable: true };
}

/**
 * Number of bitmap table entries a bitmap of `granularityBits` over `virtualSizeBytes` needs (BM-4):
 * one bit per granule, stored in whole 64-bit words, in clusters.
 */
export function bitmapTableEntryCountFor(virtualSizeBytes: number, granularityBits: number, clusterSizeBytes: number): number {
  if (virtualSizeBytes === 0) return 0;
  const bitCount = Math.floor((virtualSizeBytes - 1) / 2 ** granularityBits) + 1;
  const dataBytes = Math.ceil(bitCount / 64) * 8;
  return Math.ceil(dataBytes / clusterSizeBytes);
}

/** BM-2, BM-4, BM-5 (and QIMPL-BITMAP-*): one directory entry, judged as QEMU loads it, plus the spec's rules. */
export function bitmapEntryFindings(index: number, e: BitmapDirectoryEntry, virtualSizeBytes: number, clusterSizeBytes: number): Finding[] {
  const where = `bitmap[${index}] ${JSON.stringify(e.name)} @${hexOf(e.entryOffsetBytes)}`;
  const out: Finding[] = [];
  const refuse = (rule: string, detail: string) => out.push(finding(rule, 'check-error', where, detail, QEMU_REFUSES));
  if (e.tableEntryCount === 0) refuse('BM-2', 'bitmap table of zero entries');
  if (e.tableOffset === 0n || e.tableOffset % BigInt(clusterSizeBytes) !== 0n) refuse('BM-2', `bitmap table offset ${hexOf(e.tableOffset)} is zero or not cluster-aligned`);
  if (e.tableEntryCount > BITMAP_TABLE_ENTRY_COUNT_MAX) refuse('QIMPL-BITMAP-TABLE-SIZE', `bitmap table of ${e.tableEntryCount} entries exceeds QEMU's 2^27`);
  else if (e.tableEntryCount * clusterSizeBytes > BITMAP_DATA_BYTES_MAX) refuse('QIMPL-BITMAP-TABLE-SIZE', `${e.tableEntryCount} data clusters exceed QEMU's 512 MiB of bitmap data`);
  if (e.granularityBits < GRANULARITY_BITS_MIN || e.granularityBits > GRANULARITY_BITS_MAX) {
    refuse(e.granularityBits > 63 ? 'BM-2' : 'QIMPL-BITMAP-GRANULARITY', `granularity_bits ${e.granularityBits} outside QEMU's 9..31`);
  }
  if ((e.flags & ~0x7) !== 0) refuse('BM-2', `reserved flag bits ${hexOf(e.flags & ~0x7)} set`);
  else if ((e.flags & bitmapFlags.extraDataCompatible) !== 0) refuse('QIMPL-BITMAP-FLAGS', 'extra_data_compatible flag (QEMU treats bit 2 as reserved)');
  if (e.type !== 1) refuse('BM-2', `bitmap type ${e.type} is not 1 (dirty tracking)`);
  if (e.name.length === 0) out.push(finding('BM-2', 'corruption', where, 'empty bitmap name', QEMU_DOES_NOT_FLAG));
  const inUse = (e.flags & bitmapFlags.inUse) !== 0;
  if (inUse) out.push(finding('BM-5', 'info', where, 'bitmap is marked in use (left by a writer that did not close it): its data is stale, which is expected after a crash'));
  if (!inUse && e.granularityBits <= GRANULARITY_BITS_MAX && e.tableEntryCount > 0) {
    const needed = bitmapTableEntryCountFor(virtualSizeBytes, e.granularityBits, clusterSizeBytes);
    if (needed !== e.tableEntryCount) refuse('BM-4', `bitmap table of ${e.tableEntryCount} entries for a disk that needs ${needed}`);
  }
  return out;
}

/** BM-2: bitmap names are unique. */
export function bitmapNameFindings(entries: readonly BitmapDirectoryEntry[]): readonly Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  entries.forEach((e, i) => {
    if (seen.has(e.name)) out.push(finding('BM-2', 'corruption', `bitmap[${i}] @${hexOf(e.entryOffsetBytes)}`, `duplicate bitmap name ${JSON.stringify(e.name)}`, QEMU_DOES_NOT_FLAG));
    seen.add(e.name);
  });
  return out;
}

/**
 * BM-3: a bitmap table entry (as halves) has reserved bits 1..8 and 56..63 clear, and with a data
 * offset: bit 0 clear and the offset cluster-aligned. QEMU stops the check at such an entry.
 */
export function bitmapTableEntryFindings(hi: number, lo: number, clusterSizeBytes: number, where: string): readonly Finding[] {
  const e = decodeBitmapTableEntry(hi, lo);
  const hasOffset = e.dataOffsetBytes !== 0;
  const bad = e.reservedBitsSet || (hasOffset && (e.allOnes || e.dataOffsetBytes % clusterSizeBytes !== 0));
  if (!bad) return NO_FINDINGS;
  return [finding('BM-3', 'check-error', where, `bitmap table entry ${entryHex(hi, lo)} has reserved bits, or an unaligned offset, or bit 0 with an offset`, QEMU_STOPS)];
}

/** BM-4: bits past the end of the disk in the bitmap's last data cluster are 0. `validBits` = bits in use. */
export function bitmapTailFindings(lastCluster: Uint8Array, validBits: number, where: string): readonly Finding[] {
  const firstByte = Math.floor(validBits / 8);
  const partialMask = validBits % 8 === 0 ? 0 : 0xff << (validBits % 8);
  const dirty = (firstByte < lastCluster.length && (lastCluster[firstByte] & (validBits % 8 === 0 ? 0xff : partialMask)) !== 0) ||
    lastCluster.subarray(firstByte + 1).some((b) => b !== 0);
  if (!dirty) return NO_FINDINGS;
  return [finding('BM-4', 'corruption', where, 'bits past the end of the disk are set in the last bitmap data cluster', QEMU_DOES_NOT_FLAG)];
}

/** The largest bitmap directory QEMU reads (EXT-6, QIMPL-BITMAP-DIR-SIZE). */
export const bitmapDirectorySizeBytesMax = limits.bitmapDirectorySizeBytesMax;
