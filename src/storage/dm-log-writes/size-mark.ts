/**
 * Size marks: crashcow's own MARK text recording the file size when an operation set it in a way
 * log entries cannot express (a truncate, or a write ending inside a log sector). Replay-log tools
 * ignore marks they do not look for, so a log with size marks stays replayable elsewhere; there
 * the file keeps its sector-rounded size.
 */
const PREFIX = 'crashcow-size=';
const decoder = new TextDecoder('latin1');

/** The mark text for a file size in bytes. */
export function sizeMarkBytes(sizeBytes: number): Uint8Array {
  return new TextEncoder().encode(`${PREFIX}${sizeBytes}`);
}

/** The size a mark records, or null when the mark is not a size mark. */
export function parseSizeMark(markBytes: Uint8Array): number | null {
  const text = decoder.decode(markBytes);
  if (!text.startsWith(PREFIX)) return null;
  const digits = text.slice(PREFIX.length);
  if (!/^\d{1,16}$/.test(digits)) return null;
  const sizeBytes = Number(digits);
  return Number.isSafeInteger(sizeBytes) ? sizeBytes : null;
}
