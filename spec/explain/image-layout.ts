/**
 * imageLayout: where an image's structures lie, read through spec/walk's reference walk (the same
 * walk the checker counts references with): the header cluster, L1 and L2 tables, data clusters
 * with the guest cluster each maps, the refcount table and blocks, the snapshot table and the
 * bitmaps. Takes a ByteSource and the host ranges of interest; gives the regions overlapping them.
 * Never throws on a damaged image: what cannot be read is simply not in the layout.
 */
import type { ByteSource } from '../format/byte-source.js';
import { safely } from '../format/format-error.js';
import type { Geometry } from '../format/geometry.js';
import { TableView } from '../format/table-view.js';
import { bitmapStage } from '../walk/bitmap-stage.js';
import { checkImageOf } from '../walk/check-image-context.js';
import { checkLimits } from '../walk/check-limits.js';
import { FindingSink } from '../walk/finding-sink.js';
import { openStage } from '../walk/open-stage.js';
import { walkReferences } from '../walk/reference-walk.js';
import { readReftable } from '../walk/reftable-reader.js';
import { snapshotStage } from '../walk/snapshot-stage.js';
import { walkStateOf } from '../walk/walk-state.js';
import { LayoutSink, type LayoutRegion, type RangeFilter } from './layout-sink.js';

export interface ImageLayout {
  /** Null when cluster 0 cannot be interpreted: the layout then holds the header sector only. */
  geometry: Geometry | null;
  /** Length of the header fields (72 for v2, header_length for v3), 0 when unknown. */
  headerLengthBytes: number;
  /** Regions sorted by start; regions may overlap (a shared cluster, a damaged image). */
  regions: LayoutRegion[];
}

/** The first sector, all a layout can name when cluster 0 cannot be interpreted. */
const HEADER_SECTOR_BYTES = 512;

/** The layout of the image behind `source`, keeping the regions `keep` accepts (default: all). */
export function imageLayout(source: ByteSource, keep: RangeFilter = () => true): ImageLayout {
  const findings = new FindingSink(0);
  const meta = safely(() => openStage(source, findings));
  if (!meta) {
    const header: LayoutRegion = { startBytes: 0, endBytes: HEADER_SECTOR_BYTES, kind: 'header', snapshotIndex: -1, tableIndex: 0, entryIndex: 0 };
    return { geometry: null, headerLengthBytes: 0, regions: keep(0, HEADER_SECTOR_BYTES) ? [header] : [] };
  }
  const image = checkImageOf(source, meta);
  const sink = new LayoutSink(image.clusterSizeBytes, keep);
  if (image.fileClusterCount <= checkLimits.fileClusterCountMax) {
    safely(() => bitmapStage(image, findings));
    safely(() => snapshotStage(image, findings));
    safely(() => walkReferences(walkStateOf(image, sink, findings, null), new TableView(readReftable(image))));
  }
  const regions = sink.regions.sort((a, b) => a.startBytes - b.startBytes || a.endBytes - b.endBytes);
  return { geometry: meta.geometry, headerLengthBytes: meta.header.headerLengthBytes, regions };
}

