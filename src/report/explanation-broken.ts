/**
 * explanationBroken: the host clusters an explanation's witness is about, for its map: the entry
 * at fault and what it references (a checker witness), or, for a guest sector that reads wrong,
 * the clusters of the crash epoch's writes the witness ties it to.
 */
import { brokenClusters, rangeClusters, type BrokenCluster } from '../../spec/layout/broken-clusters.js';
import type { Explanation } from '../explain/explanation.js';

export function explanationBroken(e: Explanation, clusterSizeBytes: number, l2EntrySizeBytes: number): BrokenCluster[] {
  const v = e.verdict;
  if (v.witness?.witness) return brokenClusters([{ rule: v.witness.rule, witness: v.witness.witness }], clusterSizeBytes, l2EntrySizeBytes);
  if (!v.sector) return [];
  const rule = v.found?.rules[0] ?? v.found?.property ?? 'sector';
  const byIndex = new Map<number, BrokenCluster>();
  for (const link of v.sector.links) {
    if (link.phase !== 'crash') continue;
    const w = e.writes.find((x) => x.index === link.write);
    if (!w || w.kind === 'truncate') continue;
    for (const k of rangeClusters({ fromBytes: w.offsetBytes, toBytes: w.offsetBytes + w.lengthBytes }, clusterSizeBytes)) {
      if (!byIndex.has(k)) byIndex.set(k, { clusterIndex: k, rules: [rule], text: v.sector.text });
    }
  }
  return [...byIndex.values()].sort((a, b) => a.clusterIndex - b.clusterIndex);
}
