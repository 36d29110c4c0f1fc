/**
 * Snapshot invariants (SN-1..SN-8): the internal snapshot table and each snapshot's L1 table.
 * Counting follows qemu-img 7.2: a broken table that cannot be read is a check error; a bad entry
 * is a corruption and its L1 table is then not walked.
 */
import { hex } from '../format/bounded-reader.js';
import { limits } from '../format/limits.js';
import type { SnapshotEntry } from '../format/snapshot-table.js';
import { finding, hexOf, NO_FINDINGS, QEMU_DOES_NOT_FLAG, type Finding } from './finding.js';

/** What the snapshot predicates need about the image. */
export interface SnapshotContext {
  version: number;
  clusterSizeBytes: number;
  /** Guest bytes one L1 entry maps. */
  l2CoverageBytes: number;
  externalDataFile: boolean;
  refcountBits: number;
}

/** Location of snapshot `index` for findings: "snapshot[1] (id 1, name s1) @0x30000". */
function snapshotWhere(index: number, e: Pick<SnapshotEntry, 'id' | 'name' | 'entryOffsetBytes'>): string {
  return `snapshot[${index}] (id ${JSON.stringify(e.id)}, name ${JSON.stringify(e.name)}) @${hex(e.entryOffsetBytes)}`;
}

/**
 * SN-1, QIMPL-SN-TABLE: the table's entries, each padded to 8 bytes, sum to at most 64 MiB (QEMU).
 * `entrySizesBytes` are the unpadded entry sizes in table order.
 */
export function snapshotTableSizeFindings(entrySizesBytes: readonly number[], tableOffsetBytes: number): readonly Finding[] {
  let length = 0;
  for (let i = 0; i < entrySizesBytes.length; i++) {
    length = Math.ceil(length / 8) * 8 + entrySizesBytes[i];
    if (length > limits.snapshotTableSizeBytesMax) {
      return [finding('QIMPL-SN-TABLE', 'check-error', `snapshot table @${hexOf(tableOffsetBytes)} entry ${i}`, `the table exceeds QEMU's 64 MiB at entry ${i}`, 'qemu-img 7.2 stops the check with "Snapshot table is too big".')];
    }
  }
  return NO_FINDINGS;
}

/** SN-3: v3 entries carry at least 16 bytes of extra data (vm_state_size_large and disk_size). */
export function snapshotExtraDataFindings(index: number, e: SnapshotEntry, ctx: SnapshotContext): readonly Finding[] {
  if (ctx.version < 3 || e.extraData.length >= 16) return NO_FINDINGS;
  return [finding('SN-3', 'corruption', snapshotWhere(index, e), `v3 snapshot entry with ${e.extraData.length} bytes of extra data, needs at least 16`)];
}

/**
 * SN-2, SN-4 (and QIMPL-SN-L1-SIZE): the snapshot's L1 table is cluster-aligned and at most 32 MiB.
 * QEMU counts either as a corruption and then does not walk that L1 table; so does crashcow.
 */
export function snapshotL1Findings(index: number, e: SnapshotEntry, ctx: SnapshotContext): readonly Finding[] {
  const where = snapshotWhere(index, e);
  if (e.l1TableOffset % BigInt(ctx.clusterSizeBytes) !== 0n) {
    return [finding('SN-4', 'corruption', where, `L1 table offset ${hexOf(e.l1TableOffset)} is not cluster-aligned`)];
  }
  if (e.l1EntryCount > limits.l1SizeBytesMax / 8) {
    return [finding('QIMPL-SN-L1-SIZE', 'corruption', where, `L1 table of ${e.l1EntryCount} entries exceeds QEMU's 32 MiB`)];
  }
  return NO_FINDINGS;
}

/** True when the snapshot's L1 table may be walked (SN-4 holds). */
export function snapshotL1Walkable(e: SnapshotEntry, ctx: SnapshotContext): boolean {
  return e.l1TableOffset % BigInt(ctx.clusterSizeBytes) === 0n && e.l1EntryCount <= limits.l1SizeBytesMax / 8;
}

/**
 * SN-7: VM state lives after the disk in the snapshot's guest space, so an L1 table must reach
 * disk_size + vm_state_size.
 */
export function snapshotVmStateFindings(index: number, e: SnapshotEntry, ctx: SnapshotContext): readonly Finding[] {
  const vmStateBytes = e.vmStateSizeLarge !== undefined ? e.vmStateSizeLarge : BigInt(e.vmStateSize32);
  if (vmStateBytes === 0n || e.diskSizeBytes === undefined) return NO_FINDINGS;
  const coverage = BigInt(ctx.l2CoverageBytes);
  const neededEntries = (e.diskSizeBytes + coverage - 1n) / coverage + (vmStateBytes + coverage - 1n) / coverage;
  if (BigInt(e.l1EntryCount) >= neededEntries) return NO_FINDINGS;
  return [finding('SN-7', 'corruption', snapshotWhere(index, e), `L1 table of ${e.l1EntryCount} entries cannot hold a VM state of ${vmStateBytes} bytes after the disk (needs ${neededEntries})`, QEMU_DOES_NOT_FLAG)];
}

/** SN-8 (and its QIMPL note): no internal snapshots with an external data file; 1-bit refcounts cannot share clusters. */
export function snapshotsAllowedFindings(snapshotCount: number, ctx: SnapshotContext): readonly Finding[] {
  if (snapshotCount === 0) return NO_FINDINGS;
  if (ctx.externalDataFile) return [finding('SN-8', 'corruption', 'header.nb_snapshots @0x3c', `${snapshotCount} internal snapshots in an image with an external data file`)];
  if (ctx.refcountBits === 1) return [finding('SN-8', 'info', 'header.nb_snapshots @0x3c', 'snapshots with 1-bit refcounts: every shared cluster overflows its refcount')];
  return NO_FINDINGS;
}
