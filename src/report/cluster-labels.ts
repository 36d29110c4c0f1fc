/**
 * clusterLabels: a hover label per host cluster of a small image, from spec/explain's layout (the
 * same reference walk): which structure each cluster holds, with the guest range of data clusters.
 */
import { hex } from '../../spec/explain/change-label.js';
import { imageLayout } from '../../spec/explain/image-layout.js';
import type { ByteSource } from '../../spec/format/byte-source.js';
import { describeSource } from '../../spec/walk/reference-source.js';

/** Cluster index -> label lines, for the clusters below `clusterCount`. */
export function clusterLabels(source: ByteSource, clusterCount: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const layout = imageLayout(source);
  const g = layout.geometry;
  if (g === null) return out;
  for (const r of layout.regions) {
    let text = describeSource(r);
    if (r.kind === 'data-cluster' || r.kind === 'compressed-data') {
      const guest = (r.tableIndex * g.l2EntryCount + r.entryIndex) * g.clusterSizeBytes;
      text += `: guest ${hex(guest)}-${hex(guest + g.clusterSizeBytes - 1)}`;
    }
    const first = Math.floor(r.startBytes / g.clusterSizeBytes);
    const end = Math.min(Math.ceil(r.endBytes / g.clusterSizeBytes), clusterCount);
    for (let k = first; k < end; k++) {
      const lines = out.get(k) ?? [];
      if (!lines.includes(text)) lines.push(text);
      out.set(k, lines);
    }
  }
  return out;
}
