/**
 * Writing a command's HTML page (`--html OUT.html`): the path is checked before any work (an empty
 * name or a directory is a usage mistake), and a write that fails becomes one line on stderr.
 */
import { statSync, writeFileSync } from 'node:fs';
import { printable } from '../../explain/format-explanation.js';
import { UsageError } from '../usage-error.js';

/** Throws UsageError when `path` cannot name the page to write. */
export function checkHtmlPath(path: string): void {
  if (path === '' || path === 'true') throw new UsageError('--html needs a file name (--html OUT.html)');
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // absent: it will be created
  }
  if (isDir) throw new UsageError(`--html ${printable(path)}: is a directory; give a file name`);
}

/** Writes the page; false (with the reason on stderr) when it cannot. */
export function writeHtml(command: string, path: string, html: string): boolean {
  try {
    writeFileSync(path, html);
  } catch (err) {
    process.stderr.write(`crashcow ${command}: cannot write ${printable(path)}: ${printable((err as Error).message)}\n`);
    return false;
  }
  process.stderr.write(`crashcow ${command}: wrote ${printable(path)} (${Buffer.byteLength(html)} bytes)\n`);
  return true;
}
