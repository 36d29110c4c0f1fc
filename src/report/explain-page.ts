/**
 * explainPage: the HTML page of `crashcow explain --html`: the case, the verdict with its witness,
 * the operations, the crash epoch's timeline, and the map of the crash state's host clusters by
 * role (spec/layout) with the witness's clusters marked broken and each cluster's hover text naming
 * what it holds and the crash epoch's writes that touched it. Every string from the case is escaped.
 */
import { hex } from '../../spec/explain/change-label.js';
import { rangeClusters } from '../../spec/layout/broken-clusters.js';
import { clusterRoles } from '../../spec/layout/cluster-roles.js';
import type { ByteSource } from '../../spec/format/byte-source.js';
import type { Explanation } from '../explain/explanation.js';
import { fateText, MARKS, verdictLine } from '../explain/format-explanation.js';
import { clusterLabels } from './cluster-labels.js';
import { clusterMapData, LABELLED_CLUSTERS_MAX } from './cluster-map-data.js';
import { clusterMapHtml } from './cluster-map-html.js';
import { explainTimelineHtml } from './explain-timeline.js';
import { explanationBroken } from './explanation-broken.js';
import { escapeHtml } from './html-escape.js';
import { htmlPage } from './html-page.js';
import { l2EntrySizeOf } from './layout-report.js';

/** The page of `e`; `crashState` is the crash state's image (null: no crash, no map). */
export function explainPage(e: Explanation, crashState: ByteSource | null): string {
  const title = e.case.name ?? e.case.path;
  const mutants = e.case.mutants.length > 0 ? `, mutants ${e.case.mutants.join(', ')}` : '';
  const v = e.verdict;
  const witness = v.witness?.text ?? v.sector?.text;
  const verdict = `<div class="verdict${v.reproduces ? '' : ' ok'}" id="verdict">${escapeHtml(verdictLine(e))}${witness !== undefined ? `\n<b>witness:</b> <span id="witness">${escapeHtml(witness)}</span>` : ''}</div>`;
  const ops = e.operations.map((o) => `<li class="mark-${o.mark}" data-operation="${o.number}">${escapeHtml(o.text)} <i>${escapeHtml(MARKS[o.mark])}</i></li>`);
  const map = crashState === null ? null : mapSection(e, crashState);
  const body = `<h1>crashcow explain: <span id="case-title">${escapeHtml(title)}</span></h1>
<p id="case-head">case <code>${escapeHtml(e.case.path)}</code>: ${escapeHtml(e.case.engine)} ${escapeHtml(e.case.engineVersion)}${escapeHtml(mutants)}, ${escapeHtml(e.case.image)}${e.case.fault !== undefined ? `; fault: ${escapeHtml(e.case.fault)}` : ''}</p>
<p id="recorded">recorded: ${escapeHtml(v.recorded.property)} [${escapeHtml(v.recorded.rules.join(', '))}]: ${escapeHtml(v.recorded.summary)}</p>
${verdict}
<h2>Operations</h2>
<ol class="ops" id="operations">${ops.join('\n')}</ol>
${explainTimelineHtml(e)}
${map?.html ?? ''}`;
  return htmlPage(`crashcow explain: ${title}`, body, map !== null && map.script !== '' ? [map.script] : []);
}

function mapSection(e: Explanation, state: ByteSource): { html: string; script: string } {
  const roles = clusterRoles(state);
  if (roles === null) return { html: '<section id="map"><h2>Crash state</h2><p id="no-map">Cluster 0 of the crash state is not a qcow2 header the walk can read: no map.</p></section>', script: '' };
  const clusterCount = roles.roles.length;
  const labels = clusterCount <= LABELLED_CLUSTERS_MAX ? clusterLabels(state, clusterCount) : new Map<number, string[]>();
  for (const w of e.writes) {
    if (w.kind === 'truncate') continue;
    for (const k of rangeClusters({ fromBytes: w.offsetBytes, toBytes: w.offsetBytes + w.lengthBytes }, roles.clusterSizeBytes)) {
      const lines = labels.get(k) ?? [];
      lines.push(`write #${w.index} at ${hex(w.offsetBytes)} (${w.lengthBytes} bytes): ${w.summary}: ${fateText(w.fate)}`);
      labels.set(k, lines);
    }
  }
  const broken = explanationBroken(e, roles.clusterSizeBytes, l2EntrySizeOf(state));
  const what = e.damage ? 'Damaged image' : `Crash state ${e.crash?.stateId ?? ''}`;
  return clusterMapHtml(clusterMapData(roles, broken, labels), `${what}: host clusters by role`);
}
