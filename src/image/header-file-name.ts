/**
 * File names taken from an image header (backing file, external data file) are untrusted input.
 * crashcow opens only plain local files named by them: a name starting with `json:` or carrying
 * a protocol prefix (`nbd:`, `http:`, `file:` ..., i.e. a ':' before the first '/', QEMU's own
 * test for a protocol) is refused, never interpreted (cf. CVE-2024-4467, QCOW2-FACTS MUT-22).
 * A relative name is relative to the directory of the image that names it, as QEMU resolves
 * backing files.
 */
import { isAbsolute } from 'node:path';
import { ImageError } from './image-error.js';

/** What kind of header name this is, for messages. */
export type HeaderFileRole = 'backing file' | 'external data file';

/**
 * Resolves `name` (from the header of the image at `imagePath`) to a path. Throws ImageError
 * 'unsafe-name' for json:/protocol names and names with NUL bytes.
 */
export function resolveHeaderFileName(imagePath: string, name: string, role: HeaderFileRole): string {
  if (isProtocolName(name) || name.includes('\0')) {
    throw new ImageError(
      'unsafe-name',
      `${imagePath}: the ${role} name "${printable(name)}" is a protocol or json: specification; crashcow opens only plain files named in an image header (cf. CVE-2024-4467)`,
    );
  }
  if (isAbsolute(name)) return name;
  const slash = imagePath.lastIndexOf('/');
  return slash < 0 ? name : imagePath.slice(0, slash + 1) + name;
}

/** True for `json:...` and for any name with a ':' before its first '/'. */
function isProtocolName(name: string): boolean {
  if (name.startsWith('json:')) return true;
  const colon = name.indexOf(':');
  const slash = name.indexOf('/');
  return colon >= 0 && (slash < 0 || colon < slash);
}

function printable(name: string): string {
  const shown = name.length > 80 ? name.slice(0, 77) + '...' : name;
  return shown.replace(/[\u0000-\u001f\u007f]/g, '?');
}
