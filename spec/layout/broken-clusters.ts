/**
 * brokenClusters: the host clusters findings are about, for marking them on a map: the cluster
 * holding the entry at fault and the clusters it references (or the cluster the finding names),
 * each with the rules that point at it. Pure. A witness referencing a huge range names at most
 * CLUSTERS_PER_RANGE_MAX of its clusters, and the list holds at most BROKEN_CLUSTERS_MAX clusters,
 * so a badly damaged image still gives a small list.
 */
import { witnessPlaces, type HostRange } from '../explain/witness-places.js';
import type { FindingWitness } from '../invariants/finding.js';

/** Clusters named per referenced range: enough to see where a range lies, bounded for huge ranges. */
export const CLUSTERS_PER_RANGE_MAX = 16;
/** Clusters in one list: a map marks them one by one. */
export const BROKEN_CLUSTERS_MAX = 1024;

export interface BrokenCluster {
  clusterIndex: number;
  /** The rules whose witnesses name the cluster, in the order met, unique. */
  rules: string[];
  /** The witness in the labels' terms ("L2 @0xc00 entry 0 -> 0xe00 (512 bytes)"), of the first finding that named it. */
  text: string;
}

export interface RuleWitness {
  rule: string;
  witness: FindingWitness;
}

/** The clusters the witnesses name, sorted by index. */
export function brokenClusters(witnesses: Iterable<RuleWitness>, clusterSizeBytes: number, l2EntrySizeBytes: number): BrokenCluster[] {
  const byIndex = new Map<number, BrokenCluster>();
  for (const { rule, witness } of witnesses) {
    const places = witnessPlaces(witness, clusterSizeBytes, l2EntrySizeBytes);
    for (const range of [places.entry, places.referenced]) {
      if (range === undefined) continue;
      for (const k of rangeClusters(range, clusterSizeBytes)) {
        const b = byIndex.get(k);
        if (b) {
          if (!b.rules.includes(rule)) b.rules.push(rule);
        } else if (byIndex.size < BROKEN_CLUSTERS_MAX) byIndex.set(k, { clusterIndex: k, rules: [rule], text: places.text });
      }
    }
  }
  return [...byIndex.values()].sort((a, b) => a.clusterIndex - b.clusterIndex);
}

/** The clusters host bytes `range` touches, at most CLUSTERS_PER_RANGE_MAX of them. */
export function rangeClusters(range: HostRange, clusterSizeBytes: number): number[] {
  if (!(range.toBytes > range.fromBytes) || !Number.isSafeInteger(range.toBytes)) return [];
  const first = Math.floor(range.fromBytes / clusterSizeBytes);
  const last = Math.min(Math.floor((range.toBytes - 1) / clusterSizeBytes), first + CLUSTERS_PER_RANGE_MAX - 1);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(k);
  return out;
}
