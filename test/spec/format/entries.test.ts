import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compressedDescriptorHi,
  compressedDescriptorLo,
  compressedSizeShift,
  decodeCompressedDescriptor,
  encodeCompressedDescriptor,
} from '../../../spec/format/compressed-descriptor.js';
import { decodeL1Entry, encodeL1Entry, hasCopied, l1EntryHi, l1EntryL2ClusterIndex, l1EntryL2OffsetAligned, l1EntryL2OffsetBytes, l1EntryL2OffsetBytesClamped, l1EntryLo, l1EntryReservedBitsSet, withCopied } from '../../../spec/format/l1-entry.js';
import { ClusterType, clusterTypeOf, encodeL2Entry, hasCompressedFlag, hasZeroFlag, l2EntryHi, l2EntryLo, l2EntryReservedBitsSet, l2HostClusterIndex, l2HostClusterIndexInt32, l2HostOffsetAligned, l2HostOffsetBytes, withZeroFlag } from '../../../spec/format/l2-entry.js';
import { decodeBitmapTableEntry } from '../../../spec/format/bitmaps.js';
import { decodeRefcountTableEntry, encodeRefcountTableEntry, reftableEntryClusterIndex, reftableEntryOffsetAligned, reftableEntryOffsetBytesClamped, reftableEntryOffsetWord, reftableEntryReservedBitsSet } from '../../../spec/format/refcount-table-entry.js';
import { CLAMPED_OFFSET_BYTES, halvesToWord, highHalf, joinHalves, joinHalvesClamped, lowHalf, TableView } from '../../../spec/format/table-view.js';

const COPIED = 1n << 63n;
/** Cluster-aligned offsets below 2^53 (every table offset crashcow addresses). */
const alignedOffsets = fc.integer({ min: 0, max: 2 ** 44 - 1 }).map((k) => k * 512);
const words = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

/** The bytes of a bigint word, the way a table stores it. */
function bytesOf(word: bigint): Uint8Array {
  const view = new TableView(new Uint8Array(8));
  view.setWord(0, word);
  return view.bytes;
}

describe('64-bit words as 32-bit halves', () => {
  it('split and join are exact below 2^53', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => {
        expect(joinHalves(highHalf(value), lowHalf(value))).toBe(value);
        expect(halvesToWord(highHalf(value), lowHalf(value))).toBe(BigInt(value));
      }),
      { seed: 1, numRuns: 1000 },
    );
  });

  it('halvesToWord gives the word a TableView reads as those halves', () => {
    fc.assert(
      fc.property(words, (word) => {
        const view = new TableView(bytesOf(word));
        expect(halvesToWord(view.hi(0), view.lo(0))).toBe(word);
      }),
      { seed: 2, numRuns: 1000 },
    );
  });
});

describe('L1 entries (L1-2)', () => {
  it('encode as offset | COPIED << 63, byte for byte, and decode back', () => {
    fc.assert(
      fc.property(alignedOffsets, fc.boolean(), (l2OffsetBytes, copied) => {
        const word = encodeL1Entry(l2OffsetBytes, copied);
        expect(word).toBe(BigInt(l2OffsetBytes) | (copied ? COPIED : 0n));
        const view = new TableView(bytesOf(word));
        expect([view.hi(0), view.lo(0)]).toEqual([l1EntryHi(l2OffsetBytes, copied), l1EntryLo(l2OffsetBytes)]);
        expect(decodeL1Entry(view.hi(0), view.lo(0))).toEqual({ l2OffsetBytes, copied, reservedBitsSet: false });
      }),
      { seed: 3, numRuns: 1000 },
    );
  });

  it('the offset ignores COPIED and the reserved bits; withCopied changes only bit 63', () => {
    fc.assert(
      fc.property(words, fc.boolean(), (word, copied) => {
        const view = new TableView(bytesOf(word));
        const hi = view.hi(0);
        const lo = view.lo(0);
        expect(l1EntryL2OffsetBytes(hi, lo)).toBe(Number(word & 0x00fffffffffffe00n));
        for (const clusterBits of [9, 16, 21]) {
          expect(l1EntryL2ClusterIndex(hi, lo, clusterBits)).toBe(Number((word & 0x00fffffffffffe00n) >> BigInt(clusterBits)));
          expect(l2HostClusterIndex(hi, lo, clusterBits)).toBe(Number((word & 0x00fffffffffffe00n) >> BigInt(clusterBits)));
        }
        expect(hasCopied(hi)).toBe((word & COPIED) !== 0n);
        const changed = withCopied(hi, copied);
        expect(halvesToWord(changed, lo)).toBe(copied ? word | COPIED : word & ~COPIED);
      }),
      { seed: 4, numRuns: 1000 },
    );
  });
});

describe('standard L2 entries (L2-1..L2-5)', () => {
  it('encode as offset | COPIED << 63 | zero, byte for byte, and decode back', () => {
    fc.assert(
      fc.property(alignedOffsets, fc.boolean(), fc.boolean(), (hostOffsetBytes, copied, zero) => {
        const word = encodeL2Entry({ hostOffsetBytes, copied, zero });
        expect(word).toBe(BigInt(hostOffsetBytes) | (copied ? COPIED : 0n) | (zero ? 1n : 0n));
        const view = new TableView(bytesOf(word));
        const hi = view.hi(0);
        const lo = view.lo(0);
        expect([hi, lo]).toEqual([l2EntryHi(hostOffsetBytes, copied), l2EntryLo(hostOffsetBytes, zero)]);
        expect(l2HostOffsetBytes(hi, lo)).toBe(hostOffsetBytes);
        expect(hasCopied(hi)).toBe(copied);
        expect(hasZeroFlag(lo)).toBe(zero);
      }),
      { seed: 5, numRuns: 1000 },
    );
  });

  it('withZeroFlag turns a normal entry into zero-alloc and an empty one into zero-plain', () => {
    const normal = l2EntryLo(0x50000, false);
    expect(clusterTypeOf(l2EntryHi(0x50000, true), withZeroFlag(normal), false, false)).toBe(ClusterType.zeroAlloc);
    expect(clusterTypeOf(0, withZeroFlag(0), false, false)).toBe(ClusterType.zeroPlain);
    expect(withZeroFlag(withZeroFlag(normal))).toBe(withZeroFlag(normal));
  });
});

describe('refcount table entries (RC-1)', () => {
  it('encode as the block offset and decode back', () => {
    fc.assert(
      fc.property(alignedOffsets, (refblockOffsetBytes) => {
        const word = encodeRefcountTableEntry(refblockOffsetBytes);
        expect(word).toBe(BigInt(refblockOffsetBytes));
        const view = new TableView(bytesOf(word));
        expect(decodeRefcountTableEntry(view.hi(0), view.lo(0))).toEqual({ refblockOffsetBytes, reservedBitsSet: false });
      }),
      { seed: 6, numRuns: 1000 },
    );
  });
});

describe('compressed descriptors (CMP-1, CMP-2)', () => {
  const streams = fc.integer({ min: 9, max: 21 }).chain((clusterBits) =>
    fc.record({
      clusterBits: fc.constant(clusterBits),
      hostOffsetBytes: fc.integer({ min: 0, max: Math.min(2 ** compressedSizeShift(clusterBits), 2 ** 53) - 2 ** clusterBits - 1 }),
      streamBytes: fc.integer({ min: 1, max: 2 ** clusterBits }),
    }),
  );

  it('the halves are the bigint word (1 << 62) | additional sectors << x | offset, and decode back', () => {
    fc.assert(
      fc.property(streams, ({ clusterBits, hostOffsetBytes, streamBytes }) => {
        const additional = BigInt(Math.floor((hostOffsetBytes + streamBytes - 1) / 512) - Math.floor(hostOffsetBytes / 512));
        const expected = (1n << 62n) | (additional << BigInt(compressedSizeShift(clusterBits))) | BigInt(hostOffsetBytes);
        const hi = compressedDescriptorHi(hostOffsetBytes, streamBytes, clusterBits);
        const lo = compressedDescriptorLo(hostOffsetBytes);
        expect(halvesToWord(hi, lo)).toBe(expected);
        expect(encodeCompressedDescriptor(hostOffsetBytes, streamBytes, clusterBits)).toBe(expected);
        expect(clusterTypeOf(hi, lo, false, false)).toBe(ClusterType.compressed);
        const d = decodeCompressedDescriptor(hi, lo, clusterBits);
        expect(d.hostOffsetBytes).toBe(hostOffsetBytes);
        expect(d.additionalSectorCount).toBe(Number(additional));
        expect(d.sizeBytes).toBeGreaterThanOrEqual(streamBytes);
        expect(compressedDescriptorHi(d.hostOffsetBytes, d.sizeBytes, clusterBits)).toBe(hi);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

/** The word's bits `mask` as a number, clamped at 2^53 the way the walks clamp offsets. */
function clamped(word: bigint, mask: bigint): number {
  const v = word & mask;
  return v >= 1n << 53n ? CLAMPED_OFFSET_BYTES : Number(v);
}

describe('entry fields from the halves, against the bigint word', () => {
  const L1_L2_OFFSET = 0x00fffffffffffe00n;
  const REFTABLE_OFFSET = 0xfffffffffffffe00n;
  it('offsets (clamped and exact), cluster indexes, alignment and reserved bits agree with the word', () => {
    fc.assert(
      fc.property(words, fc.constantFrom(9, 12, 16, 21), (word, clusterBits) => {
        const view = new TableView(bytesOf(word));
        const hi = view.hi(0);
        const lo = view.lo(0);
        const alignMask = (1n << BigInt(clusterBits)) - 1n;
        expect(joinHalvesClamped(hi, lo)).toBe(clamped(word, (1n << 64n) - 1n));
        expect(l1EntryL2OffsetBytesClamped(hi, lo)).toBe(clamped(word, L1_L2_OFFSET));
        expect(l1EntryL2OffsetAligned(lo, clusterBits)).toBe((word & L1_L2_OFFSET & alignMask) === 0n);
        expect(l1EntryReservedBitsSet(hi, lo)).toBe((word & 0x7f000000000001ffn) !== 0n);
        expect(l2HostOffsetAligned(lo, clusterBits)).toBe((word & L1_L2_OFFSET & alignMask) === 0n);
        expect(l2EntryReservedBitsSet(hi, lo)).toBe((word & 0x3f000000000001fen) !== 0n);
        expect(hasCompressedFlag(hi)).toBe((word & (1n << 62n)) !== 0n);
        const index = (word & L1_L2_OFFSET) >> BigInt(clusterBits);
        expect(l2HostClusterIndexInt32(hi, lo, clusterBits)).toBe(index < 1n << 31n ? Number(index) : -1);
        expect(reftableEntryOffsetBytesClamped(hi, lo)).toBe(clamped(word, REFTABLE_OFFSET));
        expect(reftableEntryOffsetWord(hi, lo)).toBe(word & REFTABLE_OFFSET);
        expect(reftableEntryClusterIndex(hi, lo, clusterBits)).toBe(Number((word & REFTABLE_OFFSET) >> BigInt(clusterBits)));
        expect(reftableEntryOffsetAligned(lo, clusterBits)).toBe((word & REFTABLE_OFFSET & alignMask) === 0n);
        expect(reftableEntryReservedBitsSet(lo)).toBe((word & 0x1ffn) !== 0n);
        expect(decodeBitmapTableEntry(hi, lo)).toEqual({
          dataOffsetBytes: Number(word & L1_L2_OFFSET),
          allOnes: (word & 1n) !== 0n,
          reservedBitsSet: (word & 0xff000000000001fen) !== 0n,
        });
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('the int32 cluster index is -1 exactly from 2^31 clusters on', () => {
    const clusterBits = 16;
    const below = 2 ** 31 - 1;
    const hiBelow = highHalf(below * 2 ** clusterBits);
    const loBelow = lowHalf(below * 2 ** clusterBits);
    expect(l2HostClusterIndexInt32(hiBelow, loBelow, clusterBits)).toBe(below);
    expect(l2HostClusterIndexInt32(highHalf(2 ** 31 * 2 ** clusterBits), 0, clusterBits)).toBe(-1);
  });
});
