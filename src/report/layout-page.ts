/**
 * layoutPage: the HTML page of `crashcow layout --html`: the image's check counters and findings,
 * and its map of host clusters coloured by role with the findings' clusters marked broken.
 */
import type { ByteSource } from '../../spec/format/byte-source.js';
import { clusterLabels } from './cluster-labels.js';
import { clusterMapData, LABELLED_CLUSTERS_MAX } from './cluster-map-data.js';
import { clusterMapHtml } from './cluster-map-html.js';
import { findingsHtml } from './findings-html.js';
import { escapeHtml } from './html-escape.js';
import { htmlPage } from './html-page.js';
import type { LayoutAnalysis } from './layout-report.js';

/** The page of `analysis` (made from `source`, which gives the per-cluster labels of a small image). */
export function layoutPage(analysis: LayoutAnalysis, source: ByteSource): string {
  const { report, roles, findings } = analysis;
  const labels = report.clusterCount <= LABELLED_CLUSTERS_MAX ? clusterLabels(source, report.clusterCount) : new Map<number, string[]>();
  const map = clusterMapHtml(clusterMapData(roles, report.broken, labels), 'Host clusters by role');
  const c = report.check;
  const ok = c.corruptions === 0 && c.leaks === 0 && c.checkErrors === 0;
  const verdict = ok ? 'No errors were found on the image.' : `${c.corruptions} corruption(s), ${c.leaks} leak(s), ${c.checkErrors} check error(s).`;
  const body = `<h1>crashcow layout: <code id="image-path">${escapeHtml(report.image)}</code></h1>
<div class="verdict${ok ? ' ok' : ''}" id="verdict">${escapeHtml(verdict)}</div>
${findingsHtml(findings)}
${map.html}`;
  return htmlPage(`crashcow layout: ${report.image}`, body, [map.script]);
}
