/**
 * RoleSink: a ReferenceSink that keeps, per host cluster of the file, the role of the structure
 * referencing it (ClusterRole; the first in priority when several do). The part of a reference past the end of
 * the file is refused (ADD_BEYOND_EOF); nothing is counted.
 */
import { ADD_BEYOND_EOF, ADD_OK, type ReferenceSink, type SourceKind } from '../walk/reference-source.js';
import { roleOfKind, UNREFERENCED } from './cluster-role.js';

export class RoleSink implements ReferenceSink {
  /** Role id per cluster of the file, UNREFERENCED where no reference came. */
  readonly roles: Uint8Array;

  /** @param fileClusterCount clusters of the file, already checked against the walk's limits */
  constructor(
    readonly fileClusterCount: number,
    private readonly clusterBits: number,
  ) {
    this.roles = new Uint8Array(fileClusterCount).fill(UNREFERENCED);
  }

  get clusterCount(): number {
    return this.fileClusterCount;
  }

  /** Roles count nothing; the walk asks only for refcount checks it does not run without stored refcounts. */
  countOf(): number {
    return 1;
  }

  addCluster(clusterIndex: number, kind: SourceKind): number {
    if (clusterIndex >= this.fileClusterCount) return ADD_BEYOND_EOF;
    this.mark(clusterIndex, roleOfKind(kind));
    return ADD_OK;
  }

  add(offsetBytes: number, sizeBytes: number, kind: SourceKind): number {
    if (sizeBytes <= 0) return ADD_OK;
    const size = 2 ** this.clusterBits;
    const first = Math.floor(offsetBytes / size);
    const last = Math.floor((offsetBytes + sizeBytes - 1) / size);
    const role = roleOfKind(kind);
    const end = Math.min(last + 1, this.fileClusterCount);
    for (let k = first; k < end; k++) this.mark(k, role);
    return Number.isSafeInteger(last) && last < this.fileClusterCount ? ADD_OK : ADD_BEYOND_EOF;
  }

  private mark(clusterIndex: number, role: number): void {
    if (role < this.roles[clusterIndex]) this.roles[clusterIndex] = role;
  }
}
