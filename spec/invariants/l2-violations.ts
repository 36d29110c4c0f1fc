/**
 * L2Violation: the rules an L1 or L2 entry can break, as bits of a mask.
 *
 * Entry predicates run once per table entry (16 M times for a 1 TiB image), so they return a
 * number, 0 when the entry is clean, and allocate nothing. `violationFindings` turns a mask into
 * findings only on the rare dirty path. Each bit carries its rule, how qemu-img 7.2 counts it and,
 * where crashcow is stricter than qemu-img, a note saying so.
 */
import { finding, QEMU_COUNTS_ELSEWHERE, QEMU_DOES_NOT_FLAG, type Finding, type FindingKind } from './finding.js';

export const L2Violation = {
  /** L1-2: reserved bits 0..8 or 56..62 of an L1 entry. */
  l1Reserved: 1 << 0,
  /** L1-2 / AL-1: L2 table offset not cluster-aligned. */
  l1Unaligned: 1 << 1,
  /** AL-3: a non-zero L1 entry whose offset is 0 makes the header cluster an L2 table. */
  l1HeaderAsL2: 1 << 2,
  /** L2-3: reserved bits 1..8 or 56..61 of a standard descriptor. */
  reserved: 1 << 3,
  /** L2-3 / AL-1: data or preallocated-zero cluster offset not cluster-aligned. */
  unaligned: 1 << 4,
  /** L2-6: zero flag in a version 2 image. */
  zeroFlagV2: 1 << 5,
  /** L2-3 / XL2-1: bit 0 set in an extended L2 entry, where it is unused. */
  zeroFlagExtended: 1 << 6,
  /** L2-4 / L2-2: COPIED set on an entry that maps no cluster (no external data file). */
  copiedWithoutCluster: 1 << 7,
  /** L2-7: external data file cluster whose host offset differs from its guest offset. */
  dataFileOffset: 1 << 8,
  /** XL2-3: a subcluster both allocated and zero. */
  allocAndZero: 1 << 9,
  /** XL2-4: allocated subclusters in an unallocated cluster. */
  allocWithoutCluster: 1 << 10,
  /** CMP-1 / CMP-5: COPIED set on a compressed cluster. */
  compressedCopied: 1 << 11,
  /** L2-7 / FEAT-3: compressed cluster in an image with an external data file. */
  compressedWithDataFile: 1 << 12,
  /** XL2-5: compressed cluster with a non-zero subcluster bitmap. */
  compressedBitmap: 1 << 13,
  /** CMP-3: compressed offset bits at or above 2^56. */
  compressedHighOffset: 1 << 14,
} as const;

interface ViolationRule {
  bit: number;
  rule: string;
  kind: FindingKind;
  detail: string;
  qemu?: string;
}

const rules: readonly ViolationRule[] = [
  { bit: L2Violation.l1Reserved, rule: 'L1-2', kind: 'corruption', detail: 'L1 entry has reserved bits set' },
  { bit: L2Violation.l1Unaligned, rule: 'L1-2', kind: 'corruption', detail: 'L2 table offset is not cluster-aligned' },
  { bit: L2Violation.l1HeaderAsL2, rule: 'AL-3', kind: 'info', detail: 'L1 entry with flags but offset 0: the header cluster is read as an L2 table', qemu: QEMU_COUNTS_ELSEWHERE },
  { bit: L2Violation.reserved, rule: 'L2-3', kind: 'corruption', detail: 'L2 entry has reserved bits set' },
  { bit: L2Violation.unaligned, rule: 'L2-3', kind: 'corruption', detail: 'cluster offset is not cluster-aligned' },
  { bit: L2Violation.zeroFlagV2, rule: 'L2-6', kind: 'corruption', detail: 'zero flag in a version 2 image', qemu: QEMU_DOES_NOT_FLAG },
  { bit: L2Violation.zeroFlagExtended, rule: 'L2-3', kind: 'corruption', detail: 'bit 0 set in an extended L2 entry, where it is unused', qemu: QEMU_DOES_NOT_FLAG },
  { bit: L2Violation.copiedWithoutCluster, rule: 'L2-4', kind: 'corruption', detail: 'COPIED set on an entry that maps no cluster', qemu: QEMU_DOES_NOT_FLAG },
  { bit: L2Violation.dataFileOffset, rule: 'L2-7', kind: 'corruption', detail: 'external data file cluster offset differs from its guest offset', qemu: 'qemu-img 7.2 check does not flag this; QEMU marks the image corrupt when the cluster is read.' },
  { bit: L2Violation.allocAndZero, rule: 'XL2-3', kind: 'corruption', detail: 'subclusters both allocated and zero' },
  { bit: L2Violation.allocWithoutCluster, rule: 'XL2-4', kind: 'corruption', detail: 'allocated subclusters in an unallocated cluster' },
  { bit: L2Violation.compressedCopied, rule: 'CMP-1', kind: 'corruption', detail: 'COPIED set on a compressed cluster' },
  { bit: L2Violation.compressedWithDataFile, rule: 'L2-7', kind: 'corruption', detail: 'compressed cluster in an image with an external data file' },
  { bit: L2Violation.compressedBitmap, rule: 'XL2-5', kind: 'corruption', detail: 'compressed cluster with a non-zero subcluster bitmap' },
  { bit: L2Violation.compressedHighOffset, rule: 'CMP-3', kind: 'corruption', detail: 'compressed data offset at or above 2^56', qemu: QEMU_DOES_NOT_FLAG },
];

/** The findings for a violation mask, each located at `where` and showing the raw `entry`. */
export function violationFindings(mask: number, where: string, entry: string): Finding[] {
  const out: Finding[] = [];
  for (const r of rules) {
    if ((mask & r.bit) !== 0) out.push(finding(r.rule, r.kind, where, `${r.detail} (entry ${entry})`, r.qemu));
  }
  return out;
}

/** Number of violations in `mask` that count as corruptions. */
export function corruptionCount(mask: number): number {
  let n = 0;
  for (const r of rules) if ((mask & r.bit) !== 0 && r.kind === 'corruption') n++;
  return n;
}
