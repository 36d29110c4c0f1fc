/**
 * findingsHtml: a check's findings as an HTML list (rule, kind, where, detail), every string escaped.
 */
import type { Finding } from '../../spec/invariants/finding.js';
import { escapeHtml } from './html-escape.js';

/** Findings listed at most: the map marks their clusters anyway, and a damaged image may have thousands. */
const LISTED_FINDINGS_MAX = 200;

export function findingsHtml(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const items = findings.slice(0, LISTED_FINDINGS_MAX).map((f) => `<li><b>${escapeHtml(f.rule)}</b> (${escapeHtml(f.kind)}) ${escapeHtml(f.where)}: ${escapeHtml(f.detail)}</li>`);
  const more = findings.length > LISTED_FINDINGS_MAX ? `<li>and ${findings.length - LISTED_FINDINGS_MAX} more</li>` : '';
  return `<h2>Findings</h2>\n<ul id="findings">${items.join('\n')}${more}</ul>`;
}
