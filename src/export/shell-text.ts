/**
 * Text that goes into an exported shell script from a case (untrusted): as a comment, with every
 * character that could end the comment or confuse a terminal replaced, or as single-quoted data.
 * Nothing from a case is ever placed where the shell would read it as code.
 */

/** Longest comment line kept from one case string, in characters; the rest is cut with "...". */
const COMMENT_TEXT_LENGTH_MAX = 2000;

/**
 * `text` made safe to follow a `#` on one line: newlines, carriage returns and every other control
 * character (C0, DEL, C1, line and paragraph separators) become a space; the result is cut to a bound.
 */
export function commentText(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return flat.length > COMMENT_TEXT_LENGTH_MAX ? `${flat.slice(0, COMMENT_TEXT_LENGTH_MAX)}...` : flat;
}

/** `text` as comment lines of at most `widthChars` characters each, every one starting with "# ". */
export function commentBlock(text: string, widthChars = 98): string[] {
  const words = commentText(text).split(' ').filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > widthChars) {
      lines.push(line);
      line = w;
    } else line = line.length > 0 ? `${line} ${w}` : w;
  }
  if (line.length > 0) lines.push(line);
  return lines.map((l) => `# ${l}`);
}

/** `text` as one single-quoted shell word (a quote inside becomes '\''); newlines are neutralised too. */
export function shellQuote(text: string): string {
  return `'${commentText(text).replace(/'/g, `'\\''`)}'`;
}

/** True when `name` can be a file name in the exported folder as it stands (letters, digits, ".", "_", "-"). */
export function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/.test(name) && !name.includes('..');
}
