/**
 * htmlPage: one self-contained HTML page: inline CSS and scripts only, and a Content-Security-Policy
 * that forbids every network fetch and runs only the page's own scripts (by hash), so even a string
 * that escaped its escaping could run nothing.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from './html-escape.js';

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}pre,code{font:12px/1.35 ui-monospace,monospace}
.verdict{padding:.6em 1em;border-left:6px solid #e60000;background:#fdecea;white-space:pre-wrap}
.verdict.ok{border-color:#27ae60;background:#eafaf1}.warn{color:#a04000}
.map-row{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}
#role-counts td,#role-counts th{padding:1px 8px;text-align:left}#role-counts .count{text-align:right}
.swatch{width:14px}#map-canvas{border:1px solid #ccc;cursor:crosshair}
#tip{position:absolute;background:#222;color:#fff;padding:4px 8px;border-radius:4px;white-space:pre-wrap;max-width:40em;pointer-events:none;font-size:12px}
.timeline{display:flex;flex-wrap:wrap;align-items:stretch;gap:4px;margin:.4em 0}
.lane-name{width:100%;font-weight:600;margin-top:.5em}
.flush,.crash{width:6px;background:#333;position:relative;min-height:3.2em}.crash{background:#e60000}
.bar-label{font-size:11px;writing-mode:vertical-rl;color:#fff}
.write{border:1px solid #888;padding:2px 6px;min-width:5em;font-size:12px;border-radius:3px;white-space:pre-wrap}
.fate-kept{background:#d5f5e3}.fate-dropped{background:#eee;border-style:dashed;color:#666}.fate-torn{background:#fdebd0}.fate-completed{background:#d6eaf8}
ol.ops li.mark-in-flight{font-weight:600}`;

/** The page around `bodyHtml`; `scripts` are the exact texts of its inline scripts. */
export function htmlPage(title: string, bodyHtml: string, scripts: readonly string[]): string {
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${hashes.length > 0 ? hashes.join(' ') : "'none'"}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${bodyHtml}
</body>
</html>
`;
}
