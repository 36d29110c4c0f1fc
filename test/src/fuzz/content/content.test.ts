import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeChunk, SECTOR_SIZE_BYTES, writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { describeSectorOrigin } from '../../../../src/fuzz/content/decode-sector.js';
import { describeValue, materializeValue, patchValue, valuePieces, wholeValue, ZERO_SOURCE, ZERO_VALUE } from '../../../../src/fuzz/content/sector-value.js';

const SEED = 1234;

describe('content tags', () => {
  it('names the write and the guest position of every 16-byte chunk', () => {
    const bytes = writeContent(SEED, 7, 4096, 1024);
    const o = decodeChunk(bytes, 32, SEED);
    expect(o).toEqual({ kind: 'tag', writeId: 7, chunkIndex: (4096 + 32) / 16 });
  });

  it('cuts chunks the same way at any offset (unaligned writes agree with aligned ones)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), (offset, length) => {
        const whole = writeContent(SEED, 3, 0, 6000);
        expect(writeContent(SEED, 3, offset, length)).toEqual(whole.subarray(offset, offset + length));
      }),
    );
  });

  it('differs between seeds and between writes', () => {
    expect(writeContent(1, 5, 0, 512)).not.toEqual(writeContent(2, 5, 0, 512));
    expect(writeContent(1, 5, 0, 512)).not.toEqual(writeContent(1, 6, 0, 512));
    expect(decodeChunk(writeContent(1, 5, 0, 16), 0, 2).kind).toBe('unknown');
  });
});

describe('sector values', () => {
  it('patches pieces and merges them back to one source', () => {
    let v = wholeValue(4);
    v = patchValue(v, 100, 200, 9);
    expect(v).toBe('0-100:4,100-200:9,200-512:4');
    v = patchValue(v, 0, 512, ZERO_SOURCE);
    expect(v).toBe(ZERO_VALUE);
    expect(patchValue(patchValue(ZERO_VALUE, 0, 256, 2), 256, 512, 2)).toBe('2');
    expect(valuePieces('0-16:3,16-512:z')).toEqual([{ fromBytes: 0, toBytes: 16, source: 3 }, { fromBytes: 16, toBytes: 512, source: ZERO_SOURCE }]);
    expect(describeValue('0-16:3,16-512:z')).toBe('write #3 in 0-16, zeros in 16-512');
  });

  it('describes what it materializes piece by piece, and names bytes read at the wrong position', () => {
    const v = patchValue(wholeValue(11), 64, 128, ZERO_SOURCE);
    const bytes = new Uint8Array(SECTOR_SIZE_BYTES);
    materializeValue(v, 5, SEED, bytes);
    expect(describeSectorOrigin(bytes, 0, 5, SEED)).toBe('write #11 in 0-64, zeros in 64-128, write #11 in 128-512');
    expect(describeSectorOrigin(bytes, 0, 6, SEED)).toContain('stale bytes from another place');
  });

  it('describes bytes nobody wrote', () => {
    const bytes = new Uint8Array(SECTOR_SIZE_BYTES).fill(0xab);
    expect(describeSectorOrigin(bytes, 0, 0, SEED)).toBe('unknown bytes (nobody wrote them)');
  });
});
