import { describe, expect, it } from 'vitest';
import { CandidateBytes, candidateBytesFor } from '../../../../src/fuzz/content/candidate-bytes.js';
import { SECTOR_SIZE_BYTES, writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { ZERO_VALUE } from '../../../../src/fuzz/content/sector-value.js';

const SEED = 42;
const SECTOR = 9;

/** A sector-aligned read buffer of two sectors as words, `bytes` in its second sector. */
function buffered(bytes: Uint8Array): Int32Array {
  const buffer = new Uint8Array(2 * SECTOR_SIZE_BYTES).fill(0xee);
  buffer.set(bytes, SECTOR_SIZE_BYTES);
  return new Int32Array(buffer.buffer);
}

/** The bytes write `writeId` put at guest sector SECTOR. */
const written = (writeId: number, seed = SEED): Uint8Array => writeContent(seed, writeId, SECTOR * SECTOR_SIZE_BYTES, SECTOR_SIZE_BYTES);

/** A pieced value: bytes [0, 100) from write 3, the rest zeros. */
function pieced(): Uint8Array {
  const bytes = new Uint8Array(SECTOR_SIZE_BYTES);
  bytes.set(written(3).subarray(0, 100));
  return bytes;
}

describe('CandidateBytes.match', () => {
  it('finds the candidate a sector holds: a whole write, zeros or a pieced value', () => {
    // Arrange
    const c = new CandidateBytes(SEED);
    const cands = [ZERO_VALUE, '5', '0-100:3,100-512:z'];
    // Act / Assert
    expect(c.match(buffered(written(5)), 128, SECTOR, cands)).toBe('5');
    expect(c.match(buffered(new Uint8Array(SECTOR_SIZE_BYTES)), 128, SECTOR, cands)).toBe(ZERO_VALUE);
    expect(c.match(buffered(pieced()), 128, SECTOR, cands)).toBe('0-100:3,100-512:z');
  });

  it('finds none for the right write at another sector, another seed, another write or one changed byte', () => {
    const c = new CandidateBytes(SEED);
    const flipped = written(5);
    flipped[300] ^= 1;
    expect(c.match(buffered(writeContent(SEED, 5, (SECTOR + 1) * SECTOR_SIZE_BYTES, SECTOR_SIZE_BYTES)), 128, SECTOR, ['5'])).toBeNull();
    expect(c.match(buffered(written(5, SEED + 1)), 128, SECTOR, ['5'])).toBeNull();
    expect(c.match(buffered(written(6)), 128, SECTOR, ['5', ZERO_VALUE])).toBeNull();
    expect(c.match(buffered(flipped), 128, SECTOR, ['5'])).toBeNull();
  });

  it('materializes a value once per sector and seed', () => {
    const c = new CandidateBytes(SEED);
    expect(c.wordsOf(SECTOR, '0-100:3,100-512:z')).toBe(c.wordsOf(SECTOR, '0-100:3,100-512:z'));
    expect(new Uint8Array(c.wordsOf(SECTOR, '0-100:3,100-512:z').buffer)).toEqual(pieced());
  });
});

describe('candidateBytesFor', () => {
  it('shares one cache per seed', () => {
    expect(candidateBytesFor(SEED)).toBe(candidateBytesFor(SEED));
    expect(candidateBytesFor(SEED).seed).toBe(SEED);
    expect(candidateBytesFor(SEED + 1)).not.toBe(candidateBytesFor(SEED));
  });
});
