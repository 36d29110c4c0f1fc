import type { VersionCodes } from './crash-point-model.js';

/**
 * StateSet: remembers which (size code, version codes) choices were already produced, exactly,
 * without building id strings: an open-addressing table keyed by a 64-bit hash, whose matches are
 * compared in full.
 */
export class StateSet {
  /** Slot -> entry index + 1 (0: empty). Capacity is a power of two, kept at most half full. */
  private slots = new Int32Array(1024);
  private readonly slotHashes: number[] = [];
  private readonly hashes: number[] = [];
  private readonly sizeCodes: number[] = [];
  private readonly codeArrays: VersionCodes[] = [];

  get size(): number {
    return this.codeArrays.length;
  }

  /** Adds the choice; false when it was already there. The codes must not change afterwards. */
  add(sizeCode: number, codes: VersionCodes): boolean {
    const [h1, h2] = hashChoice(sizeCode, codes);
    const mask = this.slots.length - 1;
    let slot = h1 & mask;
    for (let entry = this.slots[slot]; entry !== 0; slot = (slot + 1) & mask, entry = this.slots[slot]) {
      const i = entry - 1;
      if (this.hashes[i] === h2 && this.sizeCodes[i] === sizeCode && sameCodes(this.codeArrays[i], codes)) return false;
    }
    this.slots[slot] = this.codeArrays.push(codes);
    this.slotHashes.push(h1);
    this.hashes.push(h2);
    this.sizeCodes.push(sizeCode);
    if (this.codeArrays.length * 2 > this.slots.length) this.grow();
    return true;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < this.slotHashes.length; i++) {
      let slot = this.slotHashes[i] & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = i + 1;
    }
  }
}

/** Two 32-bit hashes of a choice, reading the codes a 32-bit word at a time. */
function hashChoice(sizeCode: number, codes: VersionCodes): [number, number] {
  let h1 = 0x811c9dc5 ^ sizeCode;
  let h2 = 0x9747b28c ^ Math.imul(sizeCode, 0x85ebca6b);
  const words = codes.byteOffset % 4 === 0 ? Math.floor(codes.byteLength / 4) : 0;
  const view = new Uint32Array(codes.buffer, codes.byteOffset, words);
  for (let i = 0; i < words; i++) {
    const w = view[i];
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ (w + i), 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  const bytes = new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
  for (let i = words * 4; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
    h2 = Math.imul(h2 ^ (bytes[i] + i), 0x5bd1e995);
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  return [h1 >>> 0, h2 | 0];
}

function sameCodes(a: VersionCodes, b: VersionCodes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
