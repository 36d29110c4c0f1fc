/** The structured witnesses of L1-3/L2-2, AL-4, RC-6 and RC-7 findings. */
import { describe, expect, it } from 'vitest';
import { copiedMismatchFinding } from '../../../spec/invariants/mapping.js';
import { beyondEndFinding } from '../../../spec/invariants/overlap.js';
import { refblockRefcountFindings, refcountMismatchFinding } from '../../../spec/invariants/refcounts.js';

describe('finding witnesses', () => {
  it('L2-2: the entry, the referenced cluster, the flag as found and the stored refcount', () => {
    // Arrange: COPIED set (bit 63), offset 0x50000, refcount 2
    const m = { table: 'l2' as const, tableOffsetBytes: 0x30000, entryIndex: 4, hi: 0x80000000, lo: 0x50000, referencedOffsetBytes: 0x50000, clusterIndex: 5, storedRefcount: 2 };
    // Act
    const f = copiedMismatchFinding('L1[0] -> L2 @0x30000 entry 4', m);
    // Assert
    expect(f.rule).toBe('L2-2');
    expect(f.detail).toBe("COPIED is set but the cluster's refcount is 2 (entry 0x8000000000050000)");
    expect(f.witness).toEqual({ table: 'l2', tableOffsetBytes: 0x30000, entryIndex: 4, rawEntry: '8000000000050000', referencedOffsetBytes: 0x50000, clusterIndex: 5, copied: true, storedRefcount: 2 });
  });

  it('L1-3: a clear flag on an L2 table referenced once', () => {
    const f = copiedMismatchFinding('active L1 table entry 0', { table: 'l1', tableOffsetBytes: 0x20000, entryIndex: 0, hi: 0, lo: 0x30000, referencedOffsetBytes: 0x30000, clusterIndex: 3, storedRefcount: 1 });
    expect(f.rule).toBe('L1-3');
    expect(f.witness).toMatchObject({ table: 'l1', copied: false, clusterIndex: 3, rawEntry: '0000000000030000' });
  });

  it('AL-4: the referencing entry and the range referenced', () => {
    const f = beyondEndFinding('L1[0] -> L2 @0x30000 entry 1', 0x900000, 0x10000, 0x60000, { table: 'l2', tableOffsetBytes: 0x30000, entryIndex: 1, hi: 0x80000000, lo: 0x900000, snapshotIndex: -1 });
    expect(f.witness).toEqual({ table: 'l2', tableOffsetBytes: 0x30000, entryIndex: 1, rawEntry: '8000000000900000', snapshotIndex: -1, referencedOffsetBytes: 0x900000, referencedSizeBytes: 0x10000 });
    expect(beyondEndFinding('header', 2n ** 60n, 512, 0x60000).witness).toEqual({ referencedSizeBytes: 512 });
  });

  it('RC-6: the cluster, its stored refcount and its references', () => {
    expect(refcountMismatchFinding(7, 0x10000, 0, 1, '')!.witness).toEqual({ clusterIndex: 7, storedRefcount: 0, referenceCount: 1 });
  });

  it('RC-7: the refcount table entry, the block and its references', () => {
    const [f] = refblockRefcountFindings(0, 0x20000, 2, 0x10000, { table: 'refcount-table', tableOffsetBytes: 0x10000, entryIndex: 0, hi: 0, lo: 0x20000 });
    expect(f.witness).toEqual({ table: 'refcount-table', tableOffsetBytes: 0x10000, entryIndex: 0, rawEntry: '0000000000020000', referencedOffsetBytes: 0x20000, clusterIndex: 2, referenceCount: 2 });
  });
});
