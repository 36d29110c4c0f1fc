import { describe, expect, it } from 'vitest';
import { TouchedSectors } from '../../../../src/storage/crash-states/touched-sectors.js';

describe('TouchedSectors', () => {
  it('numbers the union of ranges in sector order and maps each range to a slice', () => {
    const t = new TouchedSectors(
      [
        { fromBytes: 5000, toBytes: 5001 },
        { fromBytes: 0, toBytes: 1024 },
        { fromBytes: 700, toBytes: 1600 },
        { fromBytes: 10, toBytes: 10 },
      ],
      512,
    );
    expect([...t.sectors]).toEqual([0, 1, 2, 3, 9]);
    expect(t.slices).toEqual([
      { lo: 4, hi: 5 },
      { lo: 0, hi: 2 },
      { lo: 1, hi: 4 },
      { lo: 0, hi: 0 },
    ]);
    expect(t.lowerBound(4)).toBe(4);
    expect(t.lowerBound(10)).toBe(5);
  });

  it('refuses a pending range too large to model', () => {
    expect(() => new TouchedSectors([{ fromBytes: 0, toBytes: 2 ** 40 }], 512)).toThrow(/CRASHCOW-PENDING-SECTORS/);
  });
});
