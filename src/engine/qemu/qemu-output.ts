/**
 * Reading qemu-io's output: a command failed when it printed an error line ("write failed: ...",
 * "qemu-io: ...", "Could not open ...", "command ... not found"); the error becomes an EngineError
 * with the errno its strerror text names.
 */
import { EngineError, errnoText, type EngineErrno } from '../engine-error.js';

const ERROR_LINE = /(?:^|\n)(?:\S+ failed: .*|qemu-io: .*|.*Could not .*|command ".*" not found|.*[Ee]rror.*)(?:\n|$)/;

/** Throws EngineError when `output` of `command` reports a failure. */
export function throwIfFailed(command: string, output: string): void {
  const m = ERROR_LINE.exec(output);
  if (!m) return;
  const line = m[0].trim();
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
