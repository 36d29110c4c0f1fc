/**
 * checkImage: the crashcow checker's entry point. Takes an image through a read-only ByteSource,
 * gives a CheckReport with qemu-img check's counters and classification plus findings named by
 * rule. Never writes to the image; never throws on anything wrong with it (only on I/O errors of
 * the source, and on its own bugs).
 */
import type { ByteSource } from '../../spec/format/byte-source.js';
import { describeSource } from '../../spec/walk/reference-source.js';
import { buildReport, NO_FACTS, type CheckReport } from './check-report.js';
import { totalClustersOf } from '../../spec/walk/check-image-context.js';
import { computeReferences } from '../../spec/walk/compute-references.js';
import { findReferenceSources } from './find-reference-sources.js';
import { FindingSink } from '../../spec/walk/finding-sink.js';
import { compareRefcounts } from './refcount-compare.js';
import { reportSharedStructures } from './shared-structures.js';

/**
 * Checks the image behind `source`; `filename` is reported as given ('image' when the caller has
 * no file name, e.g. when a repair uses the checker as its judge).
 */
export function checkImage(source: ByteSource, filename = 'image'): CheckReport {
  const sink = new FindingSink();
  const c = computeReferences(source, sink);
  if (c === null) return buildReport(filename, sink, NO_FACTS);
  if (!c.complete) return buildReport(filename, sink, { ...NO_FACTS, totalClusters: totalClustersOf(c.image) });
  const compared = compareRefcounts(c.expected, c.onDisk, sink, c.image.clusterSizeBytes);
  reportSharedStructures(c.image, c.expected, c.reftable, sink);
  if (compared.witnesses.size > 0) {
    const sources = findReferenceSources(c, compared.witnesses.keys());
    for (const [cluster, f] of compared.witnesses) {
      const list = sources.get(cluster);
      if (list !== undefined && list.length > 0) f.detail += `; referenced by ${list.map(describeSource).join(', ')}`;
    }
  }
  return buildReport(filename, sink, {
    imageEndOffsetBytes: (compared.highestClusterIndex + 1) * c.image.clusterSizeBytes,
    totalClusters: totalClustersOf(c.image),
    ...c.counters,
  });
}
