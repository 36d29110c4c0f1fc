/**
 * The catalogue of rules: every clause id crashcow checks, with its class (spec rule or
 * implementation limit), its family, one line saying what it demands, and the predicate(s) that
 * judge it. Several rules may share a predicate (one entry decoder judges L2-1 and L2-3 at once).
 */
import * as bm from './bitmaps.js';
import * as cmp from './compressed.js';
import * as ext from './extensions.js';
import * as feat from './features.js';
import { ruleClassOf, type RuleClass } from './finding.js';
import * as hdr from './header.js';
import * as lim from './limits.js';
import * as map from './mapping.js';
import * as xl2 from './extended-l2.js';
import * as al from './overlap.js';
import * as rc from './refcounts.js';
import * as sn from './snapshots.js';

export type RuleFamily = 'header' | 'features' | 'extensions' | 'refcounts' | 'mapping' | 'compressed' | 'snapshots' | 'bitmaps' | 'overlap' | 'limits';

export interface RuleEntry {
  id: string;
  class: RuleClass;
  family: RuleFamily;
  /** What the rule demands, in one line. */
  statement: string;
  /** The pure functions that judge it (any signature). */
  predicates: readonly ((...args: never[]) => unknown)[];
}

type Row = [id: string, family: RuleFamily, statement: string, predicates: RuleEntry['predicates']];

const rows: Row[] = [
  ['GEN-1', 'header', 'Every integer field is big-endian.', [hdr.magicFindings]],
  ['GEN-2', 'header', 'A guest cluster maps onto exactly one host cluster of the same size.', [map.l2EntryViolations]],
  ['HDR-1', 'header', 'The file starts with the magic "QFI\\xfb".', [hdr.magicFindings]],
  ['HDR-2', 'header', 'The version is 2 or 3.', [hdr.versionFindings]],
  ['HDR-3', 'header', 'Clusters are at least 512 bytes; with extended L2 entries, subclusters are too.', [hdr.clusterBitsFindings]],
  ['HDR-4', 'header', 'A v3 header_length is at least 104 and a multiple of 8; v2 headers are 72 bytes.', [hdr.headerLengthFindings]],
  ['HDR-5', 'header', 'The backing file name is at most 1023 bytes and lies in cluster 0, after the header and its extensions.', [hdr.backingFileFindings, ext.extensionAreaFindings]],
  ['HDR-6', 'header', 'The encryption method is none, AES or LUKS, and only LUKS has an encryption header pointer.', [hdr.cryptMethodFindings]],
  ['HDR-7', 'header', 'The L1, refcount and snapshot tables start on cluster boundaries and end below 2^63.', [hdr.tableOffsetFindings]],
  ['HDR-8', 'header', 'The L1 table has enough entries to map the whole virtual disk.', [hdr.l1SizeFindings]],
  ['HDR-9', 'header', 'There is a refcount table of at least one cluster.', [hdr.reftableSizeFindings]],
  ['HDR-10', 'header', 'nb_snapshots counts the entries of the snapshot table.', [hdr.snapshotCountFindings]],
  ['HDR-11', 'header', 'refcount_order is at most 6, so refcounts are 1 to 64 bits wide.', [hdr.refcountOrderFindings]],
  ['HDR-12', 'header', 'size is the virtual disk size in bytes, mapped below 2^56 host bytes.', [hdr.virtualSizeFindings]],
  ['HDR-13', 'header', 'The compression type is deflate (0) or zstd (1), flagged by its feature bit exactly when not 0.', [hdr.compressionTypeFindings]],
  ['FEAT-1', 'features', 'A dirty image may have stale refcounts that must be rebuilt before use.', [feat.dirtyFindings]],
  ['FEAT-2', 'features', 'A corrupt image may only be written to repair it.', [feat.corruptBitFindings]],
  ['FEAT-3', 'features', 'With an external data file, guest clusters live outside the image and are not refcounted.', [feat.dataFileFindings]],
  ['FEAT-4', 'features', 'The compression type feature bit accompanies a non-default compression type.', [hdr.compressionTypeFindings]],
  ['FEAT-5', 'features', 'The extended L2 feature bit switches to 128-bit L2 entries with subclusters.', [hdr.clusterBitsFindings, xl2.subclusterBitmapViolations]],
  ['FEAT-6', 'features', 'An unknown incompatible feature bit forbids opening the image.', [feat.unknownIncompatibleFindings]],
  ['FEAT-7', 'features', 'Lazy refcounts (v3) may leave the image dirty; unknown compatible bits are ignored.', [feat.compatibleFindings, feat.dirtyFindings]],
  ['FEAT-8', 'features', 'The bitmaps autoclear bit is set only with a bitmaps extension, whose bitmaps it validates.', [feat.bitmapsBitFindings]],
  ['FEAT-9', 'features', 'Raw external data needs an external data file and excludes a backing file.', [feat.dataFileFindings]],
  ['FEAT-10', 'features', 'A writer clears the autoclear bits it does not know.', [feat.unknownAutoclearFindings]],
  ['EXT-1', 'extensions', 'Extension records follow the header, padded to 8 bytes, and end before the backing file name (or the end of cluster 0).', [ext.extensionAreaFindings]],
  ['EXT-2', 'extensions', 'Unknown extension types are ignored but kept.', [ext.unknownExtensionFindings]],
  ['EXT-3', 'extensions', 'Each known extension type appears at most once.', [ext.duplicateExtensionFindings]],
  ['EXT-4', 'extensions', 'String extensions hold the bare string, without a terminating NUL.', [ext.stringExtensionFindings]],
  ['EXT-5', 'extensions', 'Feature name table entries are 48 bytes: type 0..2, bit 0..63, name.', [ext.featureNameTableFindings]],
  ['EXT-6', 'extensions', 'The bitmaps extension is 24 bytes: at least one bitmap, zero reserved field, aligned directory.', [ext.bitmapsExtensionFindings]],
  ['EXT-7', 'extensions', 'The encryption header pointer names aligned, refcounted clusters whose unused tail is zero.', [ext.fdePointerFindings, ext.fdeTailFindings]],
  ['RC-1', 'refcounts', 'Refcount table entries point to cluster-aligned refcount blocks and keep bits 0..8 clear.', [rc.reftableEntryState, rc.reftableEntryFindings, rc.refblockOutsideFindings]],
  ['RC-2', 'refcounts', 'A refcount block is one cluster of refcount_bits-wide entries.', [rc.reftableEntryState]],
  ['RC-3', 'refcounts', 'A cluster\'s refcount is found through reftable[index / entries] then block[index % entries].', [rc.refcountMismatchKind]],
  ['RC-4', 'refcounts', 'Refcount 0 is free, 1 is owned, 2 or more is shared and must be copied on write.', [rc.refcountMismatchKind]],
  ['RC-5', 'refcounts', 'A cluster\'s refcount equals the number of references to it from all live structures.', [rc.refcountMismatchFinding]],
  ['RC-6', 'refcounts', 'A refcount above the references is a leak; below (or 0 while referenced) is a corruption.', [rc.refcountMismatchKind, rc.refcountMismatchFinding]],
  ['RC-7', 'refcounts', 'Each refcount block is referenced exactly once.', [rc.refblockRefcountFindings]],
  ['RC-8', 'refcounts', 'A refcount never exceeds what its width can hold.', [rc.refcountMaxOf, rc.refcountOverflowFindings]],
  ['RC-9', 'refcounts', 'The refcount table reaches only as far as its entries and blocks can describe.', [rc.refcountReachFindings]],
  ['L1-1', 'mapping', 'The L1 table is l1_size contiguous entries; an L2 table is exactly one cluster.', [hdr.l1SizeFindings, map.l1EntryViolations]],
  ['L1-2', 'mapping', 'An L1 entry holds an aligned L2 offset (bits 9..55), COPIED (bit 63), and nothing else.', [map.l1EntryViolations]],
  ['L1-3', 'mapping', 'In the active L1 table, COPIED is set exactly when the L2 table\'s refcount is 1.', [map.copiedMismatch, map.copiedMismatchFinding]],
  ['L2-1', 'mapping', 'An L2 entry holds a descriptor (bits 0..61), the compressed flag (62) and COPIED (63).', [map.l2EntryViolations]],
  ['L2-2', 'mapping', 'In active L2 tables, COPIED is set exactly on standard clusters whose refcount is 1.', [map.copiedMismatch, map.copiedMismatchFinding]],
  ['L2-3', 'mapping', 'A standard descriptor holds the zero flag (v3), an aligned offset, and no reserved bits.', [map.standardL2Violations]],
  ['L2-4', 'mapping', 'Cluster types: compressed, zero, preallocated zero, normal, unallocated (COPIED without offset only with a data file).', [map.standardL2Violations]],
  ['L2-5', 'mapping', 'Unallocated clusters read from the backing file; zero clusters read zeros.', [map.l2EntryViolations]],
  ['L2-6', 'mapping', 'Version 2 images have no zero flag.', [map.standardL2Violations]],
  ['L2-7', 'mapping', 'With an external data file: host offset equals guest offset, and nothing is compressed.', [map.standardL2Violations, cmp.compressedEntryViolations]],
  ['XL2-1', 'mapping', 'Extended entries are 128 bits: the standard entry (bit 0 unused) and a subcluster bitmap.', [map.l2EntryViolations]],
  ['XL2-2', 'mapping', 'Bitmap bits 0..31 mark allocated subclusters, bits 32..63 zero subclusters.', [xl2.subclusterBitmapViolations, xl2.subclusterHoldsData]],
  ['XL2-3', 'mapping', 'No subcluster is both allocated and zero.', [xl2.subclusterBitmapViolations]],
  ['XL2-4', 'mapping', 'Allocated subclusters need a host cluster.', [xl2.subclusterBitmapViolations]],
  ['XL2-5', 'mapping', 'A compressed entry\'s bitmap is zero.', [cmp.compressedEntryViolations]],
  ['XL2-6', 'mapping', 'A written subcluster is allocated and no longer zero.', [xl2.subclusterHoldsData]],
  ['CMP-1', 'compressed', 'A compressed descriptor holds a byte offset and a count of extra sectors; COPIED is clear.', [cmp.compressedEntryViolations]],
  ['CMP-2', 'compressed', 'A compressed stream spans (sectors + 1) * 512 - (offset % 512) bytes, possibly into the next cluster.', [cmp.compressedStreamMissingBytes]],
  ['CMP-3', 'compressed', 'Compressed data offsets stay below 2^56.', [cmp.compressedEntryViolations]],
  ['CMP-4', 'compressed', 'Streams are raw deflate (type 0) or zstd (type 1).', [cmp.compressionStreamFindings]],
  ['CMP-5', 'compressed', 'Compressed entries as QEMU writes them: no COPIED, sector count of the stream.', [cmp.compressedEntryViolations]],
  ['SN-1', 'snapshots', 'The snapshot table is nb_snapshots entries, each padded to 8 bytes, from an aligned offset.', [sn.snapshotTableSizeFindings]],
  ['SN-2', 'snapshots', 'A snapshot entry names its L1 table, sizes, dates, id and name.', [sn.snapshotL1Findings]],
  ['SN-3', 'snapshots', 'v3 snapshot entries carry at least 16 bytes of extra data.', [sn.snapshotExtraDataFindings]],
  ['SN-4', 'snapshots', 'A snapshot\'s L1 table is cluster-aligned.', [sn.snapshotL1Findings, sn.snapshotL1Walkable]],
  ['SN-5', 'snapshots', 'Clusters a snapshot shares carry one reference per sharer, so writes copy them.', [rc.refcountMismatchKind]],
  ['SN-6', 'snapshots', 'After a snapshot is loaded the active COPIED flags match the refcounts again.', [map.copiedMismatch, map.copiedMismatchFinding]],
  ['SN-7', 'snapshots', 'VM state lives after the disk in the snapshot\'s guest space, within its L1 table.', [sn.snapshotVmStateFindings]],
  ['SN-8', 'snapshots', 'No internal snapshots with an external data file.', [sn.snapshotsAllowedFindings]],
  ['BM-1', 'bitmaps', 'The bitmap directory is contiguous entries padded with zeros to 8 bytes.', [bm.bitmapDirectoryFindings]],
  ['BM-2', 'bitmaps', 'A directory entry names an aligned table, known flags, type 1, a non-empty unique name.', [bm.bitmapEntryFindings, bm.bitmapNameFindings]],
  ['BM-3', 'bitmaps', 'A bitmap table entry is an aligned data offset, or 0 with bit 0 meaning all ones.', [bm.bitmapTableEntryFindings]],
  ['BM-4', 'bitmaps', 'A bitmap covers exactly the virtual disk; bits past its end are zero.', [bm.bitmapTableEntryCountFor, bm.bitmapTailFindings]],
  ['BM-5', 'bitmaps', 'A bitmap left in use by a crash is stale, not corrupt.', [bm.bitmapEntryFindings]],
  ['AL-1', 'overlap', 'Every structure but compressed data starts on a cluster boundary.', [al.alignmentFindings]],
  ['AL-2', 'overlap', 'Live structures do not overlap, except L2 tables and data shared by snapshots.', [al.sharedStructureFindings]],
  ['AL-3', 'overlap', 'Cluster 0 is the header\'s alone.', [al.touchesHeaderCluster, al.sharedStructureFindings]],
  ['AL-4', 'overlap', 'Every reference ends less than one cluster past the end of the file.', [al.beyondEndOfFile, al.beyondEndFinding]],
  ['QIMPL-CLUSTER-BITS', 'limits', 'QEMU supports clusters of at most 2 MiB.', [hdr.clusterBitsFindings]],
  ['QIMPL-HEADER-LENGTH', 'limits', 'QEMU wants the header inside the first cluster.', [hdr.headerLengthFindings]],
  ['QIMPL-BACKING-NAME', 'limits', 'QEMU wants the backing file name inside the first cluster.', [hdr.backingFileFindings]],
  ['QIMPL-BACKING-FORMAT', 'limits', 'QEMU takes backing format names of at most 15 bytes.', [ext.stringExtensionFindings]],
  ['QIMPL-L1-SIZE', 'limits', 'QEMU reads L1 tables of at most 32 MiB.', [hdr.l1SizeFindings]],
  ['QIMPL-IMAGE-SIZE', 'limits', 'QEMU needs the L1 index of the virtual size to fit in an int.', [hdr.l1SizeFindings]],
  ['QIMPL-REFTABLE-SIZE', 'limits', 'QEMU reads refcount tables of at most 8 MiB.', [hdr.reftableSizeFindings]],
  ['QIMPL-SNAPSHOT-COUNT', 'limits', 'QEMU handles at most 65536 snapshots.', [hdr.snapshotCountFindings]],
  ['QIMPL-SN-TABLE', 'limits', 'QEMU reads snapshot tables of at most 64 MiB.', [sn.snapshotTableSizeFindings]],
  ['QIMPL-SN-EXTRA', 'limits', 'QEMU reads at most 1024 bytes of extra data per snapshot.', [sn.snapshotExtraDataFindings]],
  ['QIMPL-SN-L1-SIZE', 'limits', 'QEMU walks snapshot L1 tables of at most 32 MiB.', [sn.snapshotL1Findings]],
  ['QIMPL-BITMAP-COUNT', 'limits', 'QEMU handles at most 65535 bitmaps.', [ext.bitmapsExtensionFindings]],
  ['QIMPL-BITMAP-DIR-SIZE', 'limits', 'QEMU reads bitmap directories of at most 64 MiB.', [ext.bitmapsExtensionFindings]],
  ['QIMPL-BITMAP-NAME', 'limits', 'QEMU takes bitmap names of at most 1023 bytes.', [bm.bitmapDirectoryFindings]],
  ['QIMPL-BITMAP-EXTRA', 'limits', 'QEMU supports no extra data in bitmap directory entries.', [bm.bitmapDirectoryFindings]],
  ['QIMPL-BITMAP-FLAGS', 'limits', 'QEMU treats the extra_data_compatible flag as reserved.', [bm.bitmapEntryFindings]],
  ['QIMPL-BITMAP-GRANULARITY', 'limits', 'QEMU supports bitmap granularities of 2^9 to 2^31 bytes.', [bm.bitmapEntryFindings]],
  ['QIMPL-BITMAP-TABLE-SIZE', 'limits', 'QEMU reads bitmap tables of at most 2^27 entries and 512 MiB of data.', [bm.bitmapEntryFindings]],
  ['QIMPL-IO-RANGE', 'limits', 'QEMU reads nothing ending past 2^63 - 2^30 bytes.', [lim.beyondQemuRequestRange, lim.requestRangeFindings]],
  ['QIMPL-FILE-CLUSTERS', 'limits', 'QEMU checks files of at most 2^31 - 1 clusters.', [lim.fileClusterCountFindings]],
  ['CRASHCOW-CHECK-CLUSTERS', 'limits', 'crashcow counts refcounts in memory for files of at most 2^27 clusters.', [lim.fileClusterCountFindings]],
  ['CRASHCOW-SCAN-BUDGET', 'limits', 'crashcow scans at most 16 x the file size (+ 256 MiB) of tables.', [lim.scanBudgetFindings]],
  ['CRASHCOW-SIZE', 'limits', 'crashcow addresses virtual sizes up to 2^53 bytes exactly.', [hdr.virtualSizeFindings]],
];

/** Every rule crashcow knows, in clause order. */
export const catalogue: readonly RuleEntry[] = rows.map(([id, family, statement, predicates]) => ({ id, class: ruleClassOf(id), family, statement, predicates }));

/** The catalogue entry of a rule id, or undefined. */
export function ruleOf(id: string): RuleEntry | undefined {
  return catalogue.find((r) => r.id === id);
}
