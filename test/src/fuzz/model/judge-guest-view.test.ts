/**
 * judgeGuestView with a VerdictMemo: a sector whose (guest sector, host bytes) already passed is
 * not read again, whether its data lies above or below its guest offset in the host file, and a
 * touched sector that reads zeros or the layer below is memoized by its fixed source. A layer
 * double stands in for the image (this tests the judge, not the qcow2 mapping).
 */
import { describe, expect, it } from 'vitest';
import type { GuestLayer, LayerRun } from '../../../../spec/semantics/layer.js';
import { RunFlag } from '../../../../spec/semantics/layer.js';
import { SECTOR_SIZE_BYTES, writeContent } from '../../../../src/fuzz/content/content-tag.js';
import { wholeValue, ZERO_VALUE } from '../../../../src/fuzz/content/sector-value.js';
import { VerdictTable } from '../../../../src/fuzz/model/verdict-table.js';
import { FixedBytes, judgeGuestView, type SectorExpectation, type VerdictMemo } from '../../../../src/fuzz/model/judge-guest-view.js';

const SEED = 7;
const WRITE_ID = 3;
const SIZE_BYTES = 16 * SECTOR_SIZE_BYTES;
/** Guest [0, 4 KiB) unallocated, [4 KiB, 8 KiB) data at host offset 512: below its guest offset. */
const DATA_GUEST_BYTES = 4096;
const DATA_HOST_BYTES = 512;

function layer(reads: number[]): GuestLayer {
  const data = writeContent(SEED, WRITE_ID, DATA_GUEST_BYTES, SIZE_BYTES - DATA_GUEST_BYTES);
  return {
    name: 'double',
    virtualSizeBytes: SIZE_BYTES,
    status(g: number, max: number, out: LayerRun): void {
      const data = g >= DATA_GUEST_BYTES;
      out.flags = data ? RunFlag.data | RunFlag.offsetValid : 0;
      out.hostOffsetBytes = data ? DATA_HOST_BYTES + (g - DATA_GUEST_BYTES) : -1;
      out.lengthBytes = Math.min(max, (data ? SIZE_BYTES : DATA_GUEST_BYTES) - g);
    },
    readData(g: number, n: number, dest: Uint8Array, at: number): void {
      reads.push(g);
      dest.set(data.subarray(g - DATA_GUEST_BYTES, g - DATA_GUEST_BYTES + n), at);
    },
    hostFile: () => {
      throw new Error('not used');
    },
    hostFileName: () => 'double',
    backing: () => null,
  };
}

const allSectors = Array.from({ length: 16 }, (_, s) => s);
const exp: SectorExpectation = {
  virtualSizesBytes: [SIZE_BYTES],
  candidates: (s) => [s * SECTOR_SIZE_BYTES >= DATA_GUEST_BYTES ? wholeValue(WRITE_ID) : ZERO_VALUE],
  baseValue: () => ZERO_VALUE,
  touchedSectors: () => allSectors,
  touchedSet: () => new Set(allSectors),
};

const FIXED_KEY_BASE = 1e9;

function memo(passed = new VerdictTable()): VerdictMemo & { fixedKeys: number } {
  const m = {
    passed,
    fixedKeys: 0,
    keysOf(g: number, h: number, count: number, out: Float64Array): void {
      for (let i = 0; i < count; i++) out[i] = (g + i) * 1000 + h + i;
    },
    keyOfFixed(g: number, bytes: FixedBytes): number {
      m.fixedKeys++;
      return FIXED_KEY_BASE + bytes * 100 + g;
    },
    forView: () => m,
  };
  return m;
}

describe('judgeGuestView with a verdict memo', () => {
  it('judges every sector once, then reads nothing the memo holds, also for data below its guest offset', () => {
    const m = memo();
    const first: number[] = [];
    expect(judgeGuestView(layer(first), exp, SEED, false, m).mismatch).toBeNull();
    expect(first.length).toBeGreaterThan(0);
    expect(m.passed.size).toBe(16);
    const again: number[] = [];
    const r = judgeGuestView(layer(again), exp, SEED, false, m);
    expect(r.mismatch).toBeNull();
    expect(again).toEqual([]);
    expect(r.sectorsCompared).toBe(0);
  });

  it('keys a touched sector that reads the layer below by its fixed source, not a host sector', () => {
    const m = memo();
    judgeGuestView(layer([]), exp, SEED, false, m);
    expect(m.fixedKeys).toBe(8);
    expect(m.passed.heldKeys().filter((k) => k >= FIXED_KEY_BASE).sort((a, b) => a - b)).toEqual(Array.from({ length: 8 }, (_, s) => FIXED_KEY_BASE + FixedBytes.below * 100 + s));
  });

  it('carries a verdict to another stamp only while the value it found is still a candidate', () => {
    const first = memo();
    judgeGuestView(layer([]), { ...exp, stamp: 1 }, SEED, false, first);
    const sameValue: number[] = [];
    expect(judgeGuestView(layer(sameValue), { ...exp, stamp: 2 }, SEED, false, memo(first.passed)).mismatch).toBeNull();
    expect(sameValue, 'the value found at stamp 1 is still allowed at stamp 2: nothing read').toEqual([]);
    // At stamp 3 sector 12 may only hold another write's data (as after a flush that made it required):
    // the verdict of stamp 1 must not carry, and the bytes are read and found wrong.
    const flushedOther: SectorExpectation = { ...exp, stamp: 3, candidates: (s) => (s === 12 ? [wholeValue(WRITE_ID + 1)] : exp.candidates(s)) };
    const reads: number[] = [];
    expect(judgeGuestView(layer(reads), flushedOther, SEED, false, memo(first.passed)).mismatch).toMatchObject({ kind: 'sector', sectorIndex: 12 });
    expect(reads).toEqual([12 * SECTOR_SIZE_BYTES]);
  });

  it('still finds a mismatch the memo has not seen', () => {
    const wrong: SectorExpectation = { ...exp, candidates: (s) => [s === 12 ? ZERO_VALUE : exp.candidates(s)[0]] };
    expect(judgeGuestView(layer([]), wrong, SEED, false, memo()).mismatch).toMatchObject({ kind: 'sector', sectorIndex: 12 });
  });
});
