/** Requests up to this size are carved from a shared slab instead of getting their own buffer. */
const POOLED_MAX_BYTES = 8192;
const SLAB_BYTES = 256 * 1024;

let slab = new Uint8Array(SLAB_BYTES);
let slabUsedBytes = 0;

/**
 * A zero-filled array of `lengthBytes` the caller owns. Small arrays are views into a shared slab
 * (each region handed out once, 8-byte aligned), which is much cheaper than a buffer each; a slab
 * stays in memory while any view into it does.
 */
export function allocBytes(lengthBytes: number): Uint8Array {
  if (lengthBytes > POOLED_MAX_BYTES) return new Uint8Array(lengthBytes);
  if (slabUsedBytes + lengthBytes > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsedBytes = 0;
  }
  const out = slab.subarray(slabUsedBytes, slabUsedBytes + lengthBytes);
  slabUsedBytes += (lengthBytes + 7) & ~7;
  return out;
}
