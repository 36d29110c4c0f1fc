/**
 * explainTimelineHtml: the crash epoch as a row of boxes: the last flush as a bar, each write in log
 * order coloured by its fate (kept, dropped, torn), the crash as a red bar; then one row per
 * recovery. A box shows the write's number, range and short label; its hover text holds every
 * change. Every string is escaped.
 */
import { byteRange } from '../../spec/explain/change-label.js';
import type { Explanation, ExplainedWrite } from '../explain/explanation.js';
import { fateText, writeLines } from '../explain/format-explanation.js';
import { escapeHtml } from './html-escape.js';

export function explainTimelineHtml(e: Explanation): string {
  if (!e.crash && e.damage) return `<h2>Timeline</h2>\n<p id="damage-note">No crash: damaged media. The damage was applied to the image after the run's clean close; the map below is the damaged image the repairs started from.</p>\n${timeline(e, [])}`;
  if (!e.crash) return '<h2>Timeline</h2>\n<p id="no-crash">No crash state: the run broke its property before any crash, so there is no crash epoch and no image to map.</p>';
  const c = e.crash;
  const flush = c.lastFlushIndex >= 0 ? `flush #${c.lastFlushIndex}` : 'segment start';
  const rows = [
    `<div class="lane-name">crash epoch: ${e.writes.length} write(s) after the ${escapeHtml(flush)}, crash before storage op #${c.crashPoint} (state ${escapeHtml(c.stateId)})</div>`,
    bar('flush', flush),
    ...e.writes.map((w) => writeBox(w, 'crash')),
    bar('crash', `crash (state ${c.stateId})`),
  ];
  return `<h2>Timeline</h2>\n${timeline(e, rows)}`;
}

/** The timeline block: `rows`, then one lane per recovery with its writes ('' when both are empty). */
function timeline(e: Explanation, rows: string[]): string {
  if (rows.length === 0 && e.recoveries.length === 0) return '';
  for (const [i, r] of e.recoveries.entries()) {
    const failed = r.failure !== undefined ? `; it failed: ${r.failure}` : '';
    const inner = r.crashStateId !== undefined ? `, crashed in state ${r.crashStateId}` : '';
    rows.push(`<div class="lane-name recovery" data-recovery="${i}">recovery: ${escapeHtml(r.how)}: ${r.writes.length} write(s)${escapeHtml(inner + failed)}</div>`);
    rows.push(...r.writes.map((w) => writeBox(w, `recovery-${i}`)));
  }
  return `<div class="timeline" id="timeline">\n${rows.join('\n')}\n</div>`;
}

function bar(kind: 'flush' | 'crash', text: string): string {
  return `<div class="${kind}" title="${escapeHtml(text)}" data-bar="${kind}"></div>`;
}

function writeBox(w: ExplainedWrite, lane: string): string {
  const range = w.kind === 'truncate' ? `truncate to ${w.offsetBytes}` : `${w.kind} ${byteRange(w.offsetBytes, w.offsetBytes + w.lengthBytes)}`;
  const head = `#${w.index} ${range}\n${w.summary}\n${w.fate.fate === 'torn' ? `TORN ${w.fate.sectorsLanded}/${w.fate.sectorCount}` : fateText(w.fate)}`;
  return `<div class="write fate-${w.fate.fate}" data-lane="${escapeHtml(lane)}" data-write="${w.index}" data-fate="${w.fate.fate}" title="${escapeHtml(writeLines(w).map((l) => l.trim()).join('\n'))}">${escapeHtml(head)}</div>`;
}
