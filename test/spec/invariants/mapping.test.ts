import { describe, expect, it } from 'vitest';
import { encodeCompressedDescriptor } from '../../../spec/format/compressed-descriptor.js';
import { ClusterType, clusterTypeOf } from '../../../spec/format/l2-entry.js';
import { L2Violation, corruptionCount, violationFindings } from '../../../spec/invariants/l2-violations.js';
import { copiedMismatch, l1EntryViolations, l2EntryViolations, type MappingContext } from '../../../spec/invariants/mapping.js';
import { subclusterBitmapViolations } from '../../../spec/invariants/extended-l2.js';

const v3: MappingContext = { clusterBits: 16, version: 3, extendedL2: false, externalDataFile: false };
const halves = (v: bigint) => [Number(v >> 32n) >>> 0, Number(v & 0xffffffffn) >>> 0] as const;
function l2(entry: bigint, ctx: MappingContext = v3, bitmap = 0n, guestOffsetBytes = 0): number {
  const [hi, lo] = halves(entry);
  const [bhi, blo] = halves(bitmap);
  return l2EntryViolations(clusterTypeOf(hi, lo, ctx.extendedL2, ctx.externalDataFile), hi, lo, bhi, blo, ctx, guestOffsetBytes);
}
const COPIED = 1n << 63n;

describe('L1 entries (L1-2, AL-3)', () => {
  it.each([
    [0n, 0],
    [COPIED | 0x50000n, 0],
    [COPIED | 0x50000n | (1n << 56n), L2Violation.l1Reserved],
    [0x50000n | 0x1n, L2Violation.l1Reserved],
    [0x50200n, L2Violation.l1Unaligned],
    [COPIED, L2Violation.l1HeaderAsL2],
  ])('entry %s', (entry, mask) => {
    const [hi, lo] = halves(entry);
    expect(l1EntryViolations(hi, lo, 16)).toBe(mask);
  });
});

describe('L2 entries (L2-3..L2-7, XL2, CMP)', () => {
  it('a normal, aligned entry with COPIED is clean; so are zero clusters in v3', () => {
    expect(l2(COPIED | 0x70000n)).toBe(0);
    expect(l2(0x1n)).toBe(0);
    expect(l2(COPIED | 0x70000n | 0x1n)).toBe(0);
  });
  it.each([
    ['reserved bits 1..8', COPIED | 0x70000n | 0x4n, v3, L2Violation.reserved],
    ['reserved bits 56..61', COPIED | 0x70000n | (1n << 60n), v3, L2Violation.reserved],
    ['unaligned offset', 0x70200n, v3, L2Violation.unaligned],
    ['zero flag in v2', 0x70000n | 1n, { ...v3, version: 2 }, L2Violation.zeroFlagV2],
    ['bit 0 with extended L2', 0x70000n | 1n, { ...v3, extendedL2: true }, L2Violation.zeroFlagExtended],
    ['COPIED without a cluster', COPIED, v3, L2Violation.copiedWithoutCluster],
    ['data file offset away from the guest offset', COPIED | 0x70000n, { ...v3, externalDataFile: true }, L2Violation.dataFileOffset],
  ])('%s', (_n, entry, ctx, mask) => {
    expect(l2(entry, ctx)).toBe(mask);
  });
  it('with a data file, host offset == guest offset is clean, and offset 0 + COPIED is a normal cluster', () => {
    const df = { ...v3, externalDataFile: true };
    expect(l2(COPIED | 0x70000n, df, 0n, 0x70000)).toBe(0);
    expect(l2(COPIED, df, 0n, 0)).toBe(0);
  });
  it('compressed entries: COPIED, data file, bitmap, offsets past 2^56', () => {
    const c = encodeCompressedDescriptor(0x12345, 700, 16);
    expect(l2(c)).toBe(0);
    expect(l2(c | COPIED)).toBe(L2Violation.compressedCopied);
    expect(l2(c, { ...v3, externalDataFile: true })).toBe(L2Violation.compressedWithDataFile);
    expect(l2(c, { ...v3, extendedL2: true }, 1n)).toBe(L2Violation.compressedBitmap);
    const small = encodeCompressedDescriptor(0x600, 300, 9) | (1n << 57n);
    expect(l2(small, { ...v3, clusterBits: 9 })).toBe(L2Violation.compressedHighOffset);
  });
  it('XL2-3 / XL2-4: subcluster bitmaps', () => {
    expect(subclusterBitmapViolations(ClusterType.normal, 0b11, 0b100)).toBe(0);
    expect(subclusterBitmapViolations(ClusterType.normal, 0b11, 0b10)).toBe(L2Violation.allocAndZero);
    expect(subclusterBitmapViolations(ClusterType.unallocated, 0, 0xffffffff)).toBe(0);
    expect(subclusterBitmapViolations(ClusterType.unallocated, 1, 0)).toBe(L2Violation.allocWithoutCluster);
  });
  it('masks become findings with rule, kind and the raw entry; stricter rules carry a qemu note', () => {
    const fs = violationFindings(L2Violation.reserved | L2Violation.zeroFlagV2, 'L2 @0x40000 entry 3', '0x8000000000070005');
    expect(fs.map((f) => f.rule)).toEqual(['L2-3', 'L2-6']);
    expect(fs[0].qemu).toBeUndefined();
    expect(fs[1].qemu).toMatch(/qemu-img 7.2 does not flag/);
    expect(fs[1].detail).toContain('0x8000000000070005');
    expect(corruptionCount(L2Violation.reserved | L2Violation.l1HeaderAsL2)).toBe(1);
  });
});

describe('COPIED (L1-3, L2-2)', () => {
  it('is set exactly when the refcount is 1', () => {
    expect(copiedMismatch(true, 1)).toBe(false);
    expect(copiedMismatch(false, 2)).toBe(false);
    expect(copiedMismatch(true, 2)).toBe(true);
    expect(copiedMismatch(false, 1)).toBe(true);
    expect(copiedMismatch(true, 0)).toBe(true);
  });
});
