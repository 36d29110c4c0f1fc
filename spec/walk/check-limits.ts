/**
 * Named limits of the walk, and so of the checker and the repair that run it: how much memory and
 * work an image may make them spend. Every one is checked before anything sized from an image
 * field is allocated.
 */
export const checkLimits = {
  /**
   * CRASHCOW-CHECK-CLUSTERS: the most host clusters (of the real file, never a header field) whose
   * expected and stored refcounts the checker keeps in memory, one byte each: 2^27 clusters is
   * 2 x 128 MiB, i.e. 8 TiB of 64 KiB clusters or 64 GiB of 512-byte ones.
   */
  fileClusterCountMax: 2 ** 27,
  /** QIMPL-FILE-CLUSTERS: qemu-img check refuses files of more than INT_MAX clusters. */
  fileClusterCountMaxQemu: 2 ** 31 - 1,
  /** Witness findings kept per rule and kind; the others are counted and reported as omitted. */
  findingsPerRuleMax: 20,
  /** Largest single read of table data, in bytes. */
  readChunkBytes: 4 * 1024 * 1024,
  /**
   * CRASHCOW-SCAN-BUDGET: table bytes (L1, L2, bitmap tables) one check may scan. A sound image
   * scans each L2 table once per L1 table that maps it, at most (1 + snapshots) x file size, so
   * 16 x the file size (+ 256 MiB) is reached only by tables that map the same L2 table many times.
   */
  scanBudgetBytes(fileSizeBytes: number): number {
    return 16 * fileSizeBytes + 256 * 1024 * 1024;
  },
} as const;
