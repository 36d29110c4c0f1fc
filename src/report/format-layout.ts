/**
 * formatLayout: `crashcow layout`'s human output: clusters per role, then the broken clusters.
 */
import { ROLE_NAMES } from '../../spec/layout/cluster-role.js';
import type { LayoutReport } from './layout-report.js';

export function formatLayout(r: LayoutReport, printable: (s: string) => string): string {
  const lines = [`${printable(r.image)}: ${r.clusterCount} host clusters of ${r.clusterSizeBytes} bytes (file ${r.fileSizeBytes} bytes)${r.complete ? '' : ', walk incomplete'}`];
  for (const name of ROLE_NAMES) if (r.counts[name] > 0) lines.push(`  ${name.padEnd(16)}${String(r.counts[name]).padStart(10)}`);
  lines.push(`broken clusters: ${r.broken.length === 0 ? 'none' : r.broken.length}`);
  for (const b of r.broken) lines.push(`  cluster ${b.clusterIndex} (0x${(b.clusterIndex * r.clusterSizeBytes).toString(16)}): ${b.rules.join(', ')}: ${printable(b.text)}`);
  return lines.join('\n') + '\n';
}
