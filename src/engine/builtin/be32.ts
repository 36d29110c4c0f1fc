/**
 * Big-endian 32-bit access to table bytes on hot paths (no DataView per call). Tables are read as
 * two 32-bit halves per 64-bit entry, never a whole entry through a JS number.
 */

/** The u32 at byte `p` of `b`. */
export function getU32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** Stores `v` (0 .. 2^32-1) as a u32 at byte `p` of `b`. */
export function setU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}
