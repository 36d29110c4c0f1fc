/**
 * ClusterClaims: who owns each cluster of the file, as the repair decides it. Metadata (the header,
 * L1 tables, the snapshot table, L2 tables, bitmaps, the encryption header) is claimed first and
 * keeps its clusters; a later reference to a claimed cluster is an alias (AL-2) and gets a copy.
 * Data clusters are claimed per L1 tree (the active image or one snapshot): two references of one
 * tree to one cluster are an alias too, while the same cluster in two trees is sharing that the
 * refcounts account for (SN-5).
 *
 * The old refcount structures are claimed under their own kinds: the repair either keeps them
 * (edits in place, nothing may alias them) or rebuilds them elsewhere (then they own nothing), so a
 * reference that hits one only forces the rebuild.
 */
export const ClaimKind = {
  none: 0,
  header: 1,
  activeL1: 2,
  snapshotTable: 3,
  snapshotL1: 4,
  l2Table: 5,
  bitmap: 6,
  encryptionHeader: 7,
  refcountTable: 8,
  refcountBlock: 9,
} as const;
export type ClaimKind = (typeof ClaimKind)[keyof typeof ClaimKind];

const kindNames = ['nothing', 'the header', 'the active L1 table', 'the snapshot table', 'a snapshot L1 table', 'an L2 table', 'a bitmap structure', 'the encryption header', 'the refcount table', 'a refcount block'];

/** "the refcount table" and the like, for reports. */
export function claimKindName(kind: number): string {
  return kindNames[kind] ?? 'metadata';
}

/** True for the kinds of the old refcount structures. */
function isRefcountStructure(kind: number): boolean {
  return kind === ClaimKind.refcountTable || kind === ClaimKind.refcountBlock;
}

/** Per-tree claim of a data cluster: a whole cluster, or a share of compressed streams. */
export const DataClaim = { none: 0, whole: 1, compressed: 2 } as const;

/** The result of scanning a range for owners. */
export interface ClaimScan {
  /** The first owner found that is not an old refcount structure (ClaimKind.none if none). */
  owner: number;
  /** The range touches an old refcount structure. */
  refcountStructure: boolean;
  /** Which one (ClaimKind.refcountTable or refcountBlock; none when it touches none). */
  refcountKind: number;
}

export class ClusterClaims {
  private readonly meta: Uint8Array;
  private readonly treeData: Uint8Array;
  private touched: number[] = [];

  /** @param fileClusterCount clusters of the file; clusters past it are never claimed */
  constructor(readonly fileClusterCount: number) {
    this.meta = new Uint8Array(fileClusterCount);
    this.treeData = new Uint8Array(fileClusterCount);
  }

  /** Owners of clusters [first, last] (clipped to the file). */
  scan(first: number, last: number): ClaimScan {
    const out: ClaimScan = { owner: ClaimKind.none, refcountStructure: false, refcountKind: ClaimKind.none };
    for (let k = first; k <= Math.min(last, this.fileClusterCount - 1); k++) {
      const kind = this.meta[k];
      if (kind === ClaimKind.none) continue;
      if (isRefcountStructure(kind)) {
        out.refcountStructure = true;
        out.refcountKind = kind;
      }
      else if (out.owner === ClaimKind.none) out.owner = kind;
    }
    return out;
  }

  /** Claims clusters [first, last] (clipped to the file) for metadata of `kind`. */
  claimMeta(first: number, last: number, kind: ClaimKind): void {
    for (let k = first; k <= Math.min(last, this.fileClusterCount - 1); k++) this.meta[k] = kind;
  }

  /** The current tree's claim on a cluster (DataClaim). */
  dataClaimOf(clusterIndex: number): number {
    return clusterIndex < this.fileClusterCount ? this.treeData[clusterIndex] : DataClaim.none;
  }

  /** Claims a cluster for the current tree. */
  claimData(clusterIndex: number, claim: number): void {
    if (clusterIndex >= this.fileClusterCount) return;
    if (this.treeData[clusterIndex] === DataClaim.none) this.touched.push(clusterIndex);
    this.treeData[clusterIndex] = claim;
  }

  /** Forgets the current tree's data claims (before walking the next tree). */
  nextTree(): void {
    for (const k of this.touched) this.treeData[k] = DataClaim.none;
    this.touched = [];
  }
}
