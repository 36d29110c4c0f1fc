/**
 * BeyondEndCollector: a ReferenceSink for the shared reference walk (spec/walk) that keeps only the clusters
 * past the end of the file that some reference points to. The repair allocates past the end of the
 * file and must not put anything where an old (damaged) reference would see it before the switch.
 */
import { offsetToClusterIndex, type Geometry } from '../../spec/format/geometry.js';
import type { TableView } from '../../spec/format/table-view.js';
import type { CheckImage } from '../../spec/walk/check-image-context.js';
import { FindingSink } from '../../spec/walk/finding-sink.js';
import { ADD_OK, type ReferenceSink } from '../../spec/walk/reference-source.js';
import { walkReferences } from '../../spec/walk/reference-walk.js';
import { walkStateOf } from '../../spec/walk/walk-state.js';

/** Clusters recorded per reference at most: a reference far past the end is never reached anyway. */
const CLUSTERS_PER_REFERENCE_MAX = 1 << 16;

class BeyondEndCollector implements ReferenceSink {
  readonly clusters = new Set<number>();

  constructor(
    private readonly fileClusterCount: number,
    private readonly geometry: Geometry,
  ) {}

  /** Every reference is accepted, so the walk visits refcount blocks past the end too. */
  get clusterCount(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  countOf(): number {
    return 0;
  }

  addCluster(clusterIndex: number): number {
    if (clusterIndex >= this.fileClusterCount) this.clusters.add(clusterIndex);
    return ADD_OK;
  }

  add(offsetBytes: number, sizeBytes: number): number {
    if (sizeBytes <= 0) return ADD_OK;
    const first = Math.max(this.fileClusterCount, offsetToClusterIndex(this.geometry, offsetBytes));
    const last = Math.min(offsetToClusterIndex(this.geometry, offsetBytes + sizeBytes - 1), first + CLUSTERS_PER_REFERENCE_MAX);
    for (let k = first; k <= last; k++) this.clusters.add(k);
    return ADD_OK;
  }
}

/**
 * The clusters past the end of the file that the image references (through the active and the
 * snapshot L1 tables in `image.snapshots`, the snapshot table, the refcount structures, bitmaps).
 */
export function clustersReferencedBeyondEnd(image: CheckImage, reftable: TableView): Set<number> {
  const collector = new BeyondEndCollector(image.fileClusterCount, image.meta.geometry);
  walkReferences(walkStateOf(image, collector, new FindingSink(0), null), reftable);
  return collector.clusters;
}
