/**
 * findReferenceSources: the checker's second pass over an image whose refcounts disagree with its
 * references, to name in each witness who references the cluster. Reads only.
 */
import { FindingSink } from '../../spec/walk/finding-sink.js';
import type { ReferenceComputation } from '../../spec/walk/compute-references.js';
import { walkReferences } from '../../spec/walk/reference-walk.js';
import type { ReferenceSource } from '../../spec/walk/reference-source.js';
import { walkStateOf } from '../../spec/walk/walk-state.js';
import { SourceCollector } from './source-collector.js';

/**
 * Who references each of `clusterIndexes`: walks the image again (reusing and overwriting
 * `c.expected`'s memory) and returns up to 8 sources per cluster.
 */
export function findReferenceSources(c: ReferenceComputation, clusterIndexes: Iterable<number>): Map<number, ReferenceSource[]> {
  c.expected.reset();
  const collector = new SourceCollector(c.expected, new Set(clusterIndexes));
  const state = walkStateOf(c.image, collector, new FindingSink(0), null);
  walkReferences(state, c.reftable);
  return collector.sources;
}
