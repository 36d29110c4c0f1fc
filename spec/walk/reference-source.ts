/**
 * Reference sources: who references a host cluster. The walk reports every reference with a
 * source kind and up to three indexes (no objects on the hot path); ReferenceSource is the
 * readable form of the checker's witness pass.
 */
export const SourceKind = {
  header: 0,
  l1Table: 1,
  l2Table: 2,
  dataCluster: 3,
  compressedData: 4,
  snapshotTable: 5,
  refcountTable: 6,
  refcountBlock: 7,
  encryptionHeader: 8,
  bitmapDirectory: 9,
  bitmapTable: 10,
  bitmapData: 11,
} as const;
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

const kindNames = [
  'header',
  'l1-table',
  'l2-table',
  'data-cluster',
  'compressed-data',
  'snapshot-table',
  'refcount-table',
  'refcount-block',
  'encryption-header',
  'bitmap-directory',
  'bitmap-table',
  'bitmap-data',
] as const;
export type SourceKindName = (typeof kindNames)[number];

/** Snapshot index used for the active L1 table and everything it reaches. */
export const ACTIVE = -1;

/**
 * One reference to a cluster. `snapshotIndex` is -1 for the active tables (and for structures not
 * owned by a snapshot); `tableIndex` is the L1 index (L2 tables, data), the reftable index
 * (refcount blocks) or the bitmap index; `entryIndex` the L2 entry or bitmap table entry.
 */
export interface ReferenceSource {
  kind: SourceKindName;
  snapshotIndex: number;
  tableIndex: number;
  entryIndex: number;
}

/** The readable source of a reference reported as numbers. */
export function referenceSource(kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): ReferenceSource {
  return { kind: kindNames[kind], snapshotIndex, tableIndex, entryIndex };
}

/** "data cluster of L1[3] L2 entry 17 (snapshot 0)" and the like. */
export function describeSource(s: ReferenceSource): string {
  const owner = s.snapshotIndex >= 0 ? ` (snapshot ${s.snapshotIndex})` : '';
  switch (s.kind) {
    case 'header':
    case 'snapshot-table':
    case 'refcount-table':
    case 'encryption-header':
    case 'bitmap-directory':
      return s.kind;
    case 'l1-table':
      return `L1 table${owner}`;
    case 'l2-table':
      return `L2 table of L1[${s.tableIndex}]${owner}`;
    case 'data-cluster':
      return `L1[${s.tableIndex}] L2 entry ${s.entryIndex}${owner}`;
    case 'compressed-data':
      return `compressed L1[${s.tableIndex}] L2 entry ${s.entryIndex}${owner}`;
    case 'refcount-block':
      return `reftable[${s.tableIndex}]`;
    case 'bitmap-table':
      return `bitmap[${s.tableIndex}] table`;
    case 'bitmap-data':
      return `bitmap[${s.tableIndex}] table entry ${s.entryIndex}`;
  }
}

/**
 * ReferenceSink: receives every reference the walk finds. `add` returns 0 when the reference was
 * counted, -1 when it lies a cluster or more past the end of the file (AL-4, not counted), or the
 * number of clusters whose count would overflow the refcount width (RC-8, not counted).
 */
export interface ReferenceSink {
  /** References `[offsetBytes, offsetBytes + sizeBytes)`. */
  add(offsetBytes: number, sizeBytes: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number;
  /** References the whole, aligned cluster `clusterIndex` (the hot path for data clusters). */
  addCluster(clusterIndex: number, kind: SourceKind, snapshotIndex: number, tableIndex: number, entryIndex: number): number;
  /** The count of references to a cluster so far. */
  countOf(clusterIndex: number): number;
  /** Clusters covered so far: the file's, plus one when a reference ends in a partial cluster past it. */
  readonly clusterCount: number;
}

export const ADD_OK = 0;
export const ADD_BEYOND_EOF = -1;
