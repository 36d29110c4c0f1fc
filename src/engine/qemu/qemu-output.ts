/**
 * Reading qemu-io's output: a command failed when it printed an error line ("write failed: ...",
 * "qemu-io: ...", "Could not open ...", "command ... not found", "no file open ..."); the error
 * becomes an EngineError with the errno its strerror text names. An `open` is judged apart
 * (throwIfOpenFailed): the repair it may run prints error lines and still opens the image.
 */
import { EngineError, errnoText, type EngineErrno } from '../engine-error.js';

const ERROR_LINE = /(?:^|\n)(?:\S+ failed: .*|qemu-io: .*|.*Could not .*|command ".*" not found|no file open.*|.*[Ee]rror.*)(?:\n|$)/;

/** What qemu-io answers to a command that needs an image when none is open. */
const NO_FILE_OPEN = /(?:^|\n)no file open/;

/**
 * The command to run right after an `open`, whose output throwIfOpenFailed reads: it prints the
 * image's length when one is open and "no file open" otherwise, and touches nothing.
 */
export const OPEN_PROBE = 'length';

/** Throws EngineError when `output` of `command` reports a failure. */
export function throwIfFailed(command: string, output: string): void {
  const m = ERROR_LINE.exec(output);
  if (!m) return;
  const line = m[0].trim();
  throw new EngineError(errnoOf(line), `qemu-io ${command.split(' ')[0]}: ${line}`);
}

/**
 * Throws EngineError when the `open` `command` left no image open, judged by `probeOutput` (what
 * OPEN_PROBE printed right after it), not by `openOutput`: a read-write open of a dirty image runs
 * a repair that reports what it finds ("ERROR ...", "qemu-io: Could not resize file: ...") and
 * may still rebuild the refcounts and open the image, so an error line alone is no failure. The
 * error then names the open's last error line: qemu-io prints why it could not open last
 * ("qemu-io: can't open ...: Could not repair dirty image: Input/output error").
 */
export function throwIfOpenFailed(command: string, openOutput: string, probeOutput: string): void {
  if (!NO_FILE_OPEN.test(probeOutput)) return;
  const lines = openOutput.split('\n').filter((l) => ERROR_LINE.test(l));
  const line = (lines[lines.length - 1] ?? 'no image open after it').trim();
  throw new EngineError(errnoOf(line), `qemu-io ${command.split(' ')[0]}: ${line}`);
}

function errnoOf(line: string): EngineErrno {
  for (const [errno, text] of Object.entries(errnoText)) if (line.includes(text)) return errno as EngineErrno;
  return 'EIO';
}

/** The bytes of a `read -v` hex dump ("00000064:  af 27 ...  ascii"). */
export function parseHexDump(output: string, lengthBytes: number): Uint8Array {
  const out = new Uint8Array(lengthBytes);
  let n = 0;
  for (const line of output.split('\n')) {
    const m = /^[0-9a-f]{8}:\s+((?:[0-9a-f]{2} ?)+)/.exec(line);
    if (!m) continue;
    for (const byte of m[1].trim().split(/\s+/)) if (n < lengthBytes) out[n++] = parseInt(byte, 16);
  }
  if (n !== lengthBytes) throw new EngineError('EIO', `qemu-io read: dumped ${n} of ${lengthBytes} bytes`);
  return out;
}
