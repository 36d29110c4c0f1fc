/**
 * Named limits on untrusted header fields. Every table size read from an image is checked
 * against one of these before anything sized from it is allocated.
 *
 * QEMU's own limits (block/qcow2.h in 7.2) are QIMPL rules: an image beyond them is legal per the
 * spec but QEMU refuses it. CRASHCOW limits are ours, set where a JS number stops being exact.
 */
export const limits = {
  /** cluster_bits range the spec allows (HDR-3): 2^9 = 512 B minimum. */
  clusterBitsMin: 9,
  /** QIMPL (HDR-3): QEMU supports clusters up to 2 MiB. */
  clusterBitsMaxQemu: 21,
  /** Extended L2 needs subclusters of at least 512 B (HDR-3). */
  clusterBitsMinExtendedL2: 14,
  /** QIMPL (HDR-8): QCOW_MAX_L1_SIZE, the L1 table is at most 32 MiB. */
  l1SizeBytesMax: 32 * 1024 * 1024,
  /** QIMPL (HDR-9): QCOW_MAX_REFTABLE_SIZE, the refcount table is at most 8 MiB. */
  refcountTableSizeBytesMax: 8 * 1024 * 1024,
  /** QIMPL (HDR-10): QCOW_MAX_SNAPSHOTS. */
  snapshotCountMax: 65536,
  /** QIMPL (HDR-10): QCOW_MAX_SNAPSHOTS_SIZE, the snapshot table is at most 64 MiB. */
  snapshotTableSizeBytesMax: 64 * 1024 * 1024,
  /** QIMPL (SN-3): QCOW_MAX_SNAPSHOT_EXTRA_DATA. */
  snapshotExtraDataBytesMax: 1024,
  /** QIMPL (EXT-6): at most 65535 bitmaps. */
  bitmapCountMax: 65535,
  /** QIMPL (EXT-6): bitmap directory at most 64 MiB. */
  bitmapDirectorySizeBytesMax: 64 * 1024 * 1024,
  /** QIMPL (BM-2): bitmap names at most 1023 bytes. */
  bitmapNameBytesMax: 1023,
  /** HDR-5: a backing file name is at most 1023 bytes. */
  backingFileNameBytesMax: 1023,
  /** v2 header length (HDR-4). */
  headerV2LengthBytes: 72,
  /** Minimum v3 header length (HDR-4). */
  headerV3LengthBytesMin: 104,
  /** HDR-12 / L1-2: host offsets in L1/L2 entries stay below 2^56. */
  hostOffsetBits: 56,
  /** CRASHCOW: offsets and sizes above 2^53 cannot be exact in a JS number; beyond any real file. */
  safeOffsetBytesMax: Number.MAX_SAFE_INTEGER,
} as const;
