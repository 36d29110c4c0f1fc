/**
 * The one check every host offset read from an untrusted table passes before it is used: aligned
 * where the format says so, and small enough to be exact in a JS number (CRASHCOW-OFFSET: beyond
 * 2^53 no real file reaches, so such an offset is a finding, not an address).
 */
import { hex } from '../../../spec/format/bounded-reader.js';
import { FormatError } from '../../../spec/format/format-error.js';
import { limits } from '../../../spec/format/limits.js';

/**
 * Returns `offsetBytes` when it is a multiple of `alignBytes` and `offsetBytes + lengthBytes` stays
 * below 2^53; throws FormatError `rule` (misaligned) or CRASHCOW-OFFSET (too large) naming `where`.
 */
export function checkedOffset(offsetBytes: number, lengthBytes: number, alignBytes: number, rule: string, where: () => string): number {
  if (offsetBytes + lengthBytes > limits.safeOffsetBytesMax) {
    throw new FormatError('CRASHCOW-OFFSET', where(), `offset ${hex(offsetBytes)} lies beyond 2^53 bytes`);
  }
  if (offsetBytes % alignBytes !== 0) throw new FormatError(rule, where(), `offset ${hex(offsetBytes)} is not aligned to ${alignBytes} bytes`);
  return offsetBytes;
}
