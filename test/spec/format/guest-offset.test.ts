import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guestOffsetToL1Index, guestOffsetToL2Index, type Geometry } from '../../../spec/format/geometry.js';
import { entryIndexesToGuestOffset } from '../../../spec/format/guest-offset.js';

/** 64 KiB clusters, standard L2 entries: 8192 entries per table, 512 MiB per table. */
const g = { clusterSizeBytes: 65536, l2EntryCount: 8192, l2CoverageBytes: 65536 * 8192 } as Geometry;

describe('entryIndexesToGuestOffset', () => {
  it('inverts guestOffsetToL1Index / guestOffsetToL2Index on cluster starts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 20 }), fc.integer({ min: 0, max: 8191 }), (i, j) => {
        const offsetBytes = entryIndexesToGuestOffset(g, i, j);
        expect([guestOffsetToL1Index(g, offsetBytes), guestOffsetToL2Index(g, offsetBytes)]).toEqual([i, j]);
      }),
    );
  });
});
