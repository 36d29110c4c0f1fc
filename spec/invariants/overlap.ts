/**
 * Alignment, overlap and extent invariants (AL-1..AL-4): every structure sits on cluster
 * boundaries (compressed data excepted), no two live structures share a cluster unless the format
 * allows sharing (L2 tables and data clusters of snapshots), cluster 0 is the header's alone, and
 * every reference lies inside the file.
 */
import { entryWitnessOf, exactOffsetOf, finding, hexOf, NO_FINDINGS, QEMU_COUNTS_ELSEWHERE, type EntryRef, type Finding, type FindingWitness } from './finding.js';

/** AL-1: a structure's offset is a multiple of the cluster size. */
export function alignmentFindings(structure: string, offsetBytes: number | bigint, clusterSizeBytes: number, rule = 'AL-1'): readonly Finding[] {
  const misaligned = typeof offsetBytes === 'bigint' ? offsetBytes % BigInt(clusterSizeBytes) !== 0n : offsetBytes % clusterSizeBytes !== 0;
  if (!misaligned) return NO_FINDINGS;
  return [finding(rule, 'corruption', `${structure} @${hexOf(offsetBytes)}`, `${structure} is not cluster-aligned`)];
}

/**
 * AL-4: a reference to `[offsetBytes, offsetBytes + sizeBytes)` ends one cluster or more past the end
 * of the file. A partial last cluster is legal (the file may end mid-cluster).
 */
export function beyondEndOfFile(offsetBytes: number, sizeBytes: number, fileSizeBytes: number, clusterSizeBytes: number): boolean {
  return offsetBytes + sizeBytes - fileSizeBytes >= clusterSizeBytes;
}

/**
 * AL-4: the finding for a reference past the end of the file; its witness names the referenced
 * range and, when a table entry makes the reference, that entry (`by`).
 */
export function beyondEndFinding(where: string, offsetBytes: number | bigint, sizeBytes: number, fileSizeBytes: number, by?: EntryRef): Finding {
  const witness: FindingWitness = by === undefined ? {} : entryWitnessOf(by);
  const exact = exactOffsetOf(offsetBytes);
  if (exact !== undefined) witness.referencedOffsetBytes = exact;
  witness.referencedSizeBytes = sizeBytes;
  return finding('AL-4', 'corruption', where, `reference to ${sizeBytes} bytes at ${hexOf(offsetBytes)} ends a cluster or more past the end of the file (${fileSizeBytes} bytes)`, undefined, witness);
}

/** The structures whose clusters belong to exactly one owner (AL-2): everything but L2 tables and data. */
const unshareableStructures = [
  'header',
  'L1 table',
  'refcount table',
  'refcount block',
  'snapshot table',
  'snapshot L1 table',
  'bitmap directory',
  'bitmap table',
  'bitmap data',
  'encryption header',
] as const;
export type UnshareableStructure = (typeof unshareableStructures)[number];

/**
 * AL-2, AL-3: a cluster of an unshareable structure is referenced `referenceCount` times. Returns a
 * witness naming the structure; the damage itself is counted by the refcount comparison (RC-6).
 */
export function sharedStructureFindings(structure: UnshareableStructure, clusterIndex: number, clusterSizeBytes: number, referenceCount: number): readonly Finding[] {
  if (referenceCount <= 1) return NO_FINDINGS;
  const rule = structure === 'header' ? 'AL-3' : 'AL-2';
  return [finding(rule, 'info', `cluster ${clusterIndex} @${hexOf(clusterIndex * clusterSizeBytes)}`, `${structure} cluster is referenced ${referenceCount} times: another structure overlaps it`, QEMU_COUNTS_ELSEWHERE)];
}

/** AL-3: true when `[offsetBytes, offsetBytes + sizeBytes)` touches cluster 0, the header's. */
export function touchesHeaderCluster(offsetBytes: number, sizeBytes: number, clusterSizeBytes: number): boolean {
  return sizeBytes > 0 && offsetBytes < clusterSizeBytes;
}
