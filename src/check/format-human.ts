/**
 * The human form of a check report: one line per finding (rule, where, detail), then a summary in
 * the shape of qemu-img check's: the verdict, the image end offset and the allocation figures.
 */
import type { CheckReport } from './check-report.js';

export function formatHuman(report: CheckReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    const tag = f.kind === 'info' ? 'info' : f.kind;
    lines.push(`${f.rule} [${tag}${f.class === 'qimpl' ? ', qimpl' : ''}] ${f.where}: ${f.detail}${f.qemu ? ` (${f.qemu})` : ''}`);
  }
  for (const o of report['findings-omitted']) lines.push(`${o.rule} [${o.kind}]: ${o.count} more not listed`);
  if (lines.length > 0) lines.push('');
  lines.push(...verdictLines(report));
  const total = report['total-clusters'];
  const allocated = report['allocated-clusters'];
  if (total !== 0 && allocated !== 0) {
    const pct = (n: number, of: number) => ((100 * n) / of).toFixed(2);
    lines.push(`${allocated}/${total} = ${pct(allocated, total)}% allocated, ${pct(report['fragmented-clusters'], allocated)}% fragmented, ${pct(report['compressed-clusters'], allocated)}% compressed clusters`);
  }
  if (report['image-end-offset'] !== 0) lines.push(`Image end offset: ${report['image-end-offset']}`);
  return lines.join('\n') + '\n';
}

function verdictLines(report: CheckReport): string[] {
  const out: string[] = [];
  if (report.corruptions === 0 && report.leaks === 0 && report['check-errors'] === 0) return ['No errors were found on the image.'];
  if (report.corruptions > 0) out.push(`${report.corruptions} errors were found on the image.`, 'The data may be damaged, and writing to the image may damage more.');
  if (report.leaks > 0) out.push(`${report.leaks} leaked clusters were found on the image.`, 'They waste space but hold no live data.');
  if (report['check-errors'] > 0) out.push(`${report['check-errors']} check errors: the check could not be completed.`);
  return out;
}
