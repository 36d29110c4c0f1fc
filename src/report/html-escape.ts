/**
 * Escaping for the HTML pages: text and attribute values through escapeHtml, data for the page's
 * script through jsonForScript (JSON that cannot end the <script> element it sits in). Every
 * string from an image or a case reaches a page through one of the two.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe as HTML text and as a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * `value` as JSON safe inside a <script type="application/json"> element: `<`, `>` and `&` become
 * \u escapes (no "</script>" or "<!--" can appear), as do the line separators U+2028 and U+2029.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
