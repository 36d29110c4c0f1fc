/**
 * Refcount blocks (RC-2): one cluster of refcount_bits-wide big-endian entries; for widths below
 * 8 bits, entry 0 sits in the least significant bits of byte 0.
 *
 * Values are JS numbers: exact up to 2^53. A 64-bit refcount above that (only ever seen in
 * damaged images) reads as a number >= 2^53, which still compares correctly against any real
 * reference count.
 */

/** Reads entry `index` of a refcount block with 2^order-bit entries. */
export function getRefcount(block: Uint8Array, index: number, refcountOrder: number): number {
  switch (refcountOrder) {
    case 0:
      return (block[index >>> 3] >>> (index & 7)) & 1;
    case 1:
      return (block[index >>> 2] >>> ((index & 3) * 2)) & 3;
    case 2:
      return (block[index >>> 1] >>> ((index & 1) * 4)) & 15;
    case 3:
      return block[index];
    case 4:
      return (block[index * 2] << 8) | block[index * 2 + 1];
    case 5: {
      const p = index * 4;
      return ((block[p] << 24) | (block[p + 1] << 16) | (block[p + 2] << 8) | block[p + 3]) >>> 0;
    }
    case 6: {
      const p = index * 8;
      const hi = ((block[p] << 24) | (block[p + 1] << 16) | (block[p + 2] << 8) | block[p + 3]) >>> 0;
      const lo = ((block[p + 4] << 24) | (block[p + 5] << 16) | (block[p + 6] << 8) | block[p + 7]) >>> 0;
      return hi * 4294967296 + lo;
    }
    default:
      throw new RangeError(`refcount order ${refcountOrder} out of range`);
  }
}

/** Writes entry `index`; `value` must fit the width (caller checks against refcountMax). */
export function setRefcount(block: Uint8Array, index: number, refcountOrder: number, value: number): void {
  switch (refcountOrder) {
    case 0:
    case 1:
    case 2: {
      const bits = 1 << refcountOrder;
      const perByte = 8 / bits;
      const shift = (index % perByte) * bits;
      const mask = ((1 << bits) - 1) << shift;
      const p = Math.floor(index / perByte);
      block[p] = (block[p] & ~mask) | ((value << shift) & mask);
      return;
    }
    case 3:
      block[index] = value;
      return;
    case 4:
      block[index * 2] = value >>> 8;
      block[index * 2 + 1] = value & 0xff;
      return;
    case 5: {
      const p = index * 4;
      block[p] = value >>> 24;
      block[p + 1] = (value >>> 16) & 0xff;
      block[p + 2] = (value >>> 8) & 0xff;
      block[p + 3] = value & 0xff;
      return;
    }
    case 6: {
      const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
      view.setUint32(index * 8, Math.floor(value / 4294967296) >>> 0, false);
      view.setUint32(index * 8 + 4, value >>> 0, false);
      return;
    }
    default:
      throw new RangeError(`refcount order ${refcountOrder} out of range`);
  }
}
