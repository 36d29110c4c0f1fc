import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCopied } from '../../../spec/format/l1-entry.js';
import { hasZeroFlag, L2_RESERVED_HI_MASK, L2_RESERVED_LO_MASK, l2HostOffsetBytes } from '../../../spec/format/l2-entry.js';
import { withoutL2ReservedHi, withoutL2ReservedLo, withoutZeroFlag } from '../../../spec/format/l2-entry-edits.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('L2 entry edits', () => {
  it('clear the reserved bits and keep offset, COPIED, compressed bit and zero flag', () => {
    fc.assert(
      fc.property(u32, u32, (hi, lo) => {
        const h = withoutL2ReservedHi(hi);
        const l = withoutL2ReservedLo(lo);
        expect([(h & L2_RESERVED_HI_MASK) >>> 0, (l & L2_RESERVED_LO_MASK) >>> 0]).toEqual([0, 0]);
        expect(l2HostOffsetBytes(h, l)).toBe(l2HostOffsetBytes(hi, lo));
        expect([hasCopied(h), (h & 0x40000000) !== 0, hasZeroFlag(l)]).toEqual([hasCopied(hi), (hi & 0x40000000) !== 0, hasZeroFlag(lo)]);
        expect([h, l].every((w) => w >= 0)).toBe(true);
      }),
    );
  });

  it('clears bit 0 and nothing else', () => {
    expect(withoutZeroFlag(0xfffffe01)).toBe(0xfffffe00);
    expect(withoutZeroFlag(0x200)).toBe(0x200);
    expect(withoutZeroFlag(0xffffffff)).toBe(0xfffffffe);
  });
});
